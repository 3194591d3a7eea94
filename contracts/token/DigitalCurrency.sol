// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {IDigitalCurrency} from "../interfaces/IDigitalCurrency.sol";

/// @title DigitalCurrency
/// @notice The central bank's settlement token. Every sender, recipient, owner and spender is checked against the
/// shared identity registry at the moment of the act, in `_update` and in the approval path, so no path
/// around the check exists.
/// @dev Balances live in one slot per account together with the account's freeze state, so the freeze checks
/// cost no extra storage read on a transfer. OpenZeppelin's ERC20 still provides allowances, permit and events;
/// `_update`, `balanceOf` and `totalSupply` are replaced to use that slot.
contract DigitalCurrency is IDigitalCurrency, ERC20Permit, Pausable, AccessControlDefaultAdminRules {
    struct Account {
        uint128 balance;
        uint120 frozenAmount;
        bool frozen;
    }

    /// @notice The central bank: mints and burns.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice Pauses and unpauses all movement.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Freezes and unfreezes accounts and amounts.
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");
    /// @notice The supply can never exceed what an account slot can hold.
    uint256 public constant MAX_SUPPLY = type(uint128).max;

    IIdentityRegistry private immutable _registry;

    mapping(address account => Account) private _accounts;
    uint256 private _supply;

    /// @param name_ token name, e.g. "Digital CNY"
    /// @param symbol_ token symbol, e.g. "DCNY"
    /// @param registry the shared identity registry
    /// @param initialAdminDelay seconds a new admin must wait before accepting the role
    /// @param admin grants and revokes the roles below
    /// @param issuer the central bank
    /// @param pauser may pause all movement
    /// @param regulator may freeze and unfreeze
    constructor(
        string memory name_,
        string memory symbol_,
        IIdentityRegistry registry,
        uint48 initialAdminDelay,
        address admin,
        address issuer,
        address pauser,
        address regulator
    ) ERC20(name_, symbol_) ERC20Permit(name_) AccessControlDefaultAdminRules(initialAdminDelay, admin) {
        if (
            address(registry) == address(0) ||
            issuer == address(0) ||
            pauser == address(0) ||
            regulator == address(0)
        ) {
            revert CurrencyZeroAddress();
        }
        _registry = registry;
        _grantRole(ISSUER_ROLE, issuer);
        _grantRole(PAUSER_ROLE, pauser);
        _grantRole(REGULATOR_ROLE, regulator);
    }

    /// @inheritdoc IDigitalCurrency
    function mint(address to, uint256 amount) external onlyRole(ISSUER_ROLE) {
        if (amount == 0) revert CurrencyZeroAmount();
        _mint(to, amount);
    }

    /// @inheritdoc IDigitalCurrency
    function burn(uint256 amount) external onlyRole(ISSUER_ROLE) {
        if (amount == 0) revert CurrencyZeroAmount();
        _burn(msg.sender, amount);
    }

    /// @inheritdoc IDigitalCurrency
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IDigitalCurrency
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @inheritdoc IDigitalCurrency
    function freezeAccount(address account) external onlyRole(REGULATOR_ROLE) {
        Account storage state = _accountOf(account);
        if (state.frozen) revert CurrencyAccountAlreadyFrozen(account);
        state.frozen = true;
        emit AccountFrozen(account, msg.sender);
    }

    /// @inheritdoc IDigitalCurrency
    function unfreezeAccount(address account) external onlyRole(REGULATOR_ROLE) {
        Account storage state = _accountOf(account);
        if (!state.frozen) revert CurrencyAccountNotFrozen(account);
        state.frozen = false;
        emit AccountUnfrozen(account, msg.sender);
    }

    /// @inheritdoc IDigitalCurrency
    function freezeAmount(address account, uint256 amount) external onlyRole(REGULATOR_ROLE) {
        if (amount == 0) revert CurrencyZeroAmount();
        Account storage state = _accountOf(account);
        uint256 frozen = state.frozenAmount;
        uint256 cap = type(uint120).max;
        if (amount > cap - frozen) revert CurrencyFreezeCapExceeded(account, frozen, amount, cap);
        // Cannot truncate: frozen + amount <= type(uint120).max was checked above.
        state.frozenAmount = uint120(frozen + amount);
        emit AmountFrozen(account, amount, frozen + amount, msg.sender);
    }

    /// @inheritdoc IDigitalCurrency
    function unfreezeAmount(address account, uint256 amount) external onlyRole(REGULATOR_ROLE) {
        if (amount == 0) revert CurrencyZeroAmount();
        Account storage state = _accountOf(account);
        uint256 frozen = state.frozenAmount;
        if (amount > frozen) revert CurrencyUnfreezeExceedsFrozen(account, frozen, amount);
        // Cannot truncate: the result is below the stored uint120 value.
        state.frozenAmount = uint120(frozen - amount);
        emit AmountUnfrozen(account, amount, frozen - amount, msg.sender);
    }

    /// @inheritdoc IDigitalCurrency
    function identityRegistry() external view returns (IIdentityRegistry) {
        return _registry;
    }

    /// @inheritdoc IDigitalCurrency
    function isAccountFrozen(address account) external view returns (bool) {
        return _accounts[account].frozen;
    }

    /// @inheritdoc IDigitalCurrency
    function frozenAmountOf(address account) external view returns (uint256) {
        return _accounts[account].frozenAmount;
    }

    /// @inheritdoc IDigitalCurrency
    function availableBalanceOf(address account) external view returns (uint256) {
        Account memory state = _accounts[account];
        if (state.frozen) return 0;
        return _available(state.balance, state.frozenAmount);
    }

    /// @notice One unit is one fen (0.01 CNY).
    function decimals() public pure override returns (uint8) {
        return 2;
    }

    /// @inheritdoc ERC20
    function totalSupply() public view override returns (uint256) {
        return _supply;
    }

    /// @inheritdoc ERC20
    function balanceOf(address account) public view override returns (uint256) {
        return _accounts[account].balance;
    }

    /// @dev The one gate for moving money: pause, KYC of both sides, account freeze and frozen amount.
    function _update(address from, address to, uint256 value) internal override whenNotPaused {
        _checkParties(from, to);
        if (from == address(0)) {
            uint256 supply = _supply;
            if (value > MAX_SUPPLY - supply) revert CurrencySupplyCapExceeded(supply, value, MAX_SUPPLY);
            _supply = supply + value;
        } else {
            Account memory sender = _accounts[from];
            if (sender.frozen) revert CurrencyAccountFrozen(from);
            uint256 balance = sender.balance;
            if (value > balance) revert ERC20InsufficientBalance(from, balance, value);
            uint256 available = _available(balance, sender.frozenAmount);
            if (value > available) revert CurrencyInsufficientAvailableBalance(from, available, value);
            // Cannot truncate: value <= balance, a uint128. The whole slot is written back at once.
            sender.balance = uint128(balance - value);
            _accounts[from] = sender;
        }
        if (to == address(0)) {
            // Cannot underflow: value <= balance of `from` <= supply.
            unchecked {
                _supply -= value;
            }
        } else {
            Account storage recipient = _accounts[to];
            // Cannot overflow or truncate: every balance, and so their sum, is at most the supply <= MAX_SUPPLY.
            unchecked {
                recipient.balance += uint128(value);
            }
        }
        emit Transfer(from, to, value);
    }

    /// @dev Owner and spender must be verified when an allowance is set (approve, permit).
    function _approve(address owner, address spender, uint256 value, bool emitEvent) internal override {
        if (emitEvent) _checkParties(owner, spender);
        super._approve(owner, spender, value, emitEvent);
    }

    /// @dev The spender must be verified when it spends (transferFrom), even under an infinite allowance.
    function _spendAllowance(address owner, address spender, uint256 value) internal override {
        _checkParties(address(0), spender);
        super._spendAllowance(owner, spender, value);
    }

    /// @dev Both non-zero parties must be verified and neither may be a regulator wallet. A zero address stands
    /// for the mint or burn side and is left to the caller.
    function _checkParties(address a, address b) private view {
        (IIdentityRegistry.EntityKind aKind, IIdentityRegistry.EntityKind bKind) = _registry.verifiedKinds(a, b);
        if (a != address(0)) _checkKind(a, aKind);
        if (b != address(0)) _checkKind(b, bKind);
    }

    function _accountOf(address account) private view returns (Account storage) {
        if (account == address(0)) revert CurrencyZeroAddress();
        return _accounts[account];
    }

    function _checkKind(address account, IIdentityRegistry.EntityKind kind) private pure {
        if (kind == IIdentityRegistry.EntityKind.None) revert CurrencyUnverifiedAccount(account);
        if (kind == IIdentityRegistry.EntityKind.Regulator) revert CurrencyRegulatorAccount(account);
    }

    function _available(uint256 balance, uint256 frozenAmount) private pure returns (uint256) {
        return balance > frozenAmount ? balance - frozenAmount : 0;
    }
}
