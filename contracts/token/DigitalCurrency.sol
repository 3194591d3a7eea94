// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {IDigitalCurrency} from "../interfaces/IDigitalCurrency.sol";
import {IdentityGate} from "../identity/IdentityGate.sol";

/// @title DigitalCurrency
/// @notice The central bank's settlement token. Every sender, recipient, owner and spender is checked against the
/// shared identity registry at the moment of the act, in `_update` and in the approval path, so no path
/// around the check exists.
/// @dev Balances live in one word per account together with the account's freeze state, so the freeze checks
/// cost no extra storage read on a transfer (see `_accounts`); the KYC and pause checks read the gate's copy
/// (see IdentityGate). OpenZeppelin's ERC20 still provides allowances, permit and events; `_update`,
/// `balanceOf` and `totalSupply` are replaced to use the account word. Balances and freeze records are public, as
/// ERC-20 `Transfer` events and storage already are to every node.
contract DigitalCurrency is IDigitalCurrency, ERC20Permit, IdentityGate, AccessControlDefaultAdminRules {
    /// @notice The central bank: mints and burns.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice Pauses and unpauses all movement.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Freezes and unfreezes accounts and amounts.
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");
    /// @notice The supply can never exceed what an account slot can hold.
    uint256 public constant MAX_SUPPLY = type(uint128).max;
    /// @notice The most value of one account that can be frozen.
    uint256 public constant MAX_FROZEN_AMOUNT = type(uint120).max;

    /// @dev Account word: bits 0-127 balance, bits 128-247 frozen amount, bit 255 account frozen.
    uint256 private constant _BALANCE_MASK = type(uint128).max;
    uint256 private constant _FROZEN_AMOUNT_SHIFT = 128;
    uint256 private constant _FROZEN_FLAG = 1 << 255;

    mapping(address account => uint256 word) private _accounts;
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
    )
        ERC20(name_, symbol_)
        ERC20Permit(name_)
        IdentityGate(registry)
        AccessControlDefaultAdminRules(initialAdminDelay, admin)
    {
        if (
            address(registry) == address(0) || issuer == address(0) || pauser == address(0) || regulator == address(0)
        ) {
            revert CurrencyZeroAddress();
        }
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
        if (paused()) revert CurrencyPaused();
        _setPaused(true);
        emit Paused(msg.sender);
    }

    /// @inheritdoc IDigitalCurrency
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!paused()) revert CurrencyNotPaused();
        _setPaused(false);
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IDigitalCurrency
    function freezeAccount(address account) external onlyRole(REGULATOR_ROLE) {
        uint256 word = _freezableWordOf(account);
        if (word & _FROZEN_FLAG != 0) revert CurrencyAccountAlreadyFrozen(account);
        _accounts[account] = word | _FROZEN_FLAG;
        emit AccountFrozen(account, msg.sender);
    }

    /// @inheritdoc IDigitalCurrency
    function unfreezeAccount(address account) external onlyRole(REGULATOR_ROLE) {
        uint256 word = _wordOf(account);
        if (word & _FROZEN_FLAG == 0) revert CurrencyAccountNotFrozen(account);
        _accounts[account] = word & ~_FROZEN_FLAG;
        emit AccountUnfrozen(account, msg.sender);
    }

    /// @inheritdoc IDigitalCurrency
    function freezeAmount(address account, uint256 amount) external onlyRole(REGULATOR_ROLE) {
        if (amount == 0) revert CurrencyZeroAmount();
        uint256 word = _freezableWordOf(account);
        uint256 frozen = _frozenAmount(word);
        if (amount > MAX_FROZEN_AMOUNT - frozen) {
            revert CurrencyFreezeCapExceeded(account, frozen, amount, MAX_FROZEN_AMOUNT);
        }
        _accounts[account] = _withFrozenAmount(word, frozen + amount);
        emit AmountFrozen(account, amount, frozen + amount, msg.sender);
    }

    /// @inheritdoc IDigitalCurrency
    function unfreezeAmount(address account, uint256 amount) external onlyRole(REGULATOR_ROLE) {
        if (amount == 0) revert CurrencyZeroAmount();
        uint256 word = _wordOf(account);
        uint256 frozen = _frozenAmount(word);
        if (amount > frozen) revert CurrencyUnfreezeExceedsFrozen(account, frozen, amount);
        _accounts[account] = _withFrozenAmount(word, frozen - amount);
        emit AmountUnfrozen(account, amount, frozen - amount, msg.sender);
    }

    /// @inheritdoc IDigitalCurrency
    function isAccountFrozen(address account) external view returns (bool) {
        return _accounts[account] & _FROZEN_FLAG != 0;
    }

    /// @inheritdoc IDigitalCurrency
    function frozenAmountOf(address account) external view returns (uint256) {
        return _frozenAmount(_accounts[account]);
    }

    /// @inheritdoc IDigitalCurrency
    function availableBalanceOf(address account) external view returns (uint256) {
        uint256 word = _accounts[account];
        if (word & _FROZEN_FLAG != 0) return 0;
        return _available(word & _BALANCE_MASK, _frozenAmount(word));
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
        return _accounts[account] & _BALANCE_MASK;
    }

    /// @dev The one gate for moving money: pause, KYC of both sides, account freeze and frozen amount.
    function _update(address from, address to, uint256 value) internal override {
        GateState memory gate = _gateState();
        if (gate.paused) revert CurrencyPaused();
        _checkParties(gate, from, to);
        if (from == address(0)) {
            uint256 supply = _supply;
            if (value > MAX_SUPPLY - supply) revert CurrencySupplyCapExceeded(supply, value, MAX_SUPPLY);
            _supply = supply + value;
        } else {
            uint256 word = _accounts[from];
            if (word & _FROZEN_FLAG != 0) revert CurrencyAccountFrozen(from);
            uint256 balance = word & _BALANCE_MASK;
            if (value > balance) revert ERC20InsufficientBalance(from, balance, value);
            uint256 available = _available(balance, _frozenAmount(word));
            if (value > available) revert CurrencyInsufficientAvailableBalance(from, available, value);
            // Cannot underflow or borrow from the frozen bits: value <= balance, the word's low 128 bits.
            unchecked {
                _accounts[from] = word - value;
            }
        }
        if (to == address(0)) {
            // Cannot underflow: value <= balance of `from` <= supply.
            unchecked {
                _supply -= value;
            }
        } else {
            // Cannot carry into the frozen bits: every balance, and so their sum, is at most MAX_SUPPLY = 2^128 - 1.
            unchecked {
                _accounts[to] += value;
            }
        }
        emit Transfer(from, to, value);
    }

    /// @dev Owner and spender must be verified when an allowance is raised (approve, permit); lowering or revoking
    /// one is never refused, whoever has lapsed since.
    function _approve(address owner, address spender, uint256 value, bool emitEvent) internal override {
        if (emitEvent && value > allowance(owner, spender)) _checkParties(_gateState(), owner, spender);
        super._approve(owner, spender, value, emitEvent);
    }

    /// @dev The spender must be verified when it spends (transferFrom), even under an infinite allowance.
    function _spendAllowance(address owner, address spender, uint256 value) internal override {
        _checkParties(_gateState(), address(0), spender);
        super._spendAllowance(owner, spender, value);
    }

    /// @dev Both non-zero parties must be verified and neither may be a regulator wallet. A zero address stands
    /// for the mint or burn side and is left to the caller.
    function _checkParties(GateState memory gate, address a, address b) private view {
        (IIdentityRegistry.EntityKind aKind, IIdentityRegistry.EntityKind bKind) = _kindsIfVerified(gate, a, b);
        if (a != address(0)) _checkKind(a, aKind);
        if (b != address(0)) _checkKind(b, bKind);
    }

    /// @dev The word of an account the regulator may freeze: not a platform contract's account, which holds the
    /// escrow of many parties (an order against one party acts on that party's own account).
    function _freezableWordOf(address account) private view returns (uint256) {
        (IIdentityRegistry.EntityKind kind, ) = _kindsIfVerified(_gateState(), account, address(0));
        if (kind == IIdentityRegistry.EntityKind.System) revert CurrencySystemAccount(account);
        return _wordOf(account);
    }

    function _wordOf(address account) private view returns (uint256) {
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

    function _frozenAmount(uint256 word) private pure returns (uint256) {
        return (word >> _FROZEN_AMOUNT_SHIFT) & MAX_FROZEN_AMOUNT;
    }

    /// @dev `frozenAmount` <= MAX_FROZEN_AMOUNT is checked by the callers, so it stays within its bits.
    function _withFrozenAmount(uint256 word, uint256 frozenAmount) private pure returns (uint256) {
        return (word & ~(MAX_FROZEN_AMOUNT << _FROZEN_AMOUNT_SHIFT)) | (frozenAmount << _FROZEN_AMOUNT_SHIFT);
    }
}
