import "./kyc";
import "./cash";
import "./bill";
import "./dvp";
