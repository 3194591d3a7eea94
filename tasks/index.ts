import "./kyc";
import "./cash";
import "./bill";
