import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

const DAY = 24n * 60n * 60n;

/** The business-day calendar the settlement engine rolls maturities on; its admin marks holidays. */
export default buildModule("BusinessCalendar", (m) => {
  const businessCalendar = m.contract("BusinessCalendar", [
    m.getParameter("adminDelay", 2n * DAY),
    m.getParameter("admin", m.getAccount(0)),
  ]);
  return { businessCalendar };
});
