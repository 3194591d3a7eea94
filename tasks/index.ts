import "./kyc";
import "./cash";
import "./bill";
import "./dvp";
import "./keys";
import "./regulator";
import "./platform";
