import { installOneLineHardhatErrors } from "./lib/hardhatErrors";
import "./kyc";
import "./cash";
import "./bill";
import "./dvp";
import "./keys";
import "./regulator";
import "./platform";

// Hardhat's own errors (an unknown option, task or network) in one line, as the tasks' own.
installOneLineHardhatErrors();
