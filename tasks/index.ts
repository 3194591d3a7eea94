import "./kyc";
import "./cash";
