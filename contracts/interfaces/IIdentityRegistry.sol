// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Shared KYC identity registry
/// @notice One institution's verification of a legal person serves every other institution and contract.
/// An entity is identified by the hash of its unified social credit code (never the plain code); it owns
/// one or more wallets, and a wallet belongs to at most one entity. Every record is public (README *Confidentiality*).
interface IIdentityRegistry {
    /// @notice The kind of legal person behind a wallet. `None` marks an unknown or unverified wallet and
    /// `System` a registered platform contract; neither can be registered as an entity.
    enum EntityKind {
        None,
        Enterprise,
        Bank,
        FinanceCompany,
        CentralBank,
        Regulator,
        System
    }

    /// @notice `Revoked` is terminal; `Suspended` can be reinstated by the verifying provider.
    enum EntityStatus {
        None,
        Active,
        Suspended,
        Revoked
    }

    /// @notice A verified legal person.
    /// @param kind what the entity is
    /// @param status its current standing
    /// @param expiresAt the verification is valid while `block.timestamp < expiresAt`
    /// @param provider the KYC provider that verified it and alone may renew or suspend it
    /// @param jurisdiction an ISO 3166 code, e.g. "CN" or "CN-SH", right-padded with zero bytes
    /// @param walletCount how many wallets are linked to it
    struct Entity {
        EntityKind kind;
        EntityStatus status;
        uint48 expiresAt;
        address provider;
        bytes32 jurisdiction;
        uint256 walletCount;
    }

    /// @notice A wallet's standing, as the registry keeps it and publishes it to subscribers (one storage slot).
    /// @param expiresAt the wallet is verified while `block.timestamp < expiresAt`
    /// @param status its entity's status (`Active` for a system account)
    /// @param kind its entity's kind, `System` for a system account, `None` for an unknown wallet
    /// @param entity its entity's number, in registration order from 1 (0 for a system account or an unknown
    /// wallet): what tells two wallets of one party apart from two parties, in the same slot as the kind
    struct Credential {
        uint48 expiresAt;
        EntityStatus status;
        EntityKind kind;
        uint32 entity;
    }

    /// @notice What a contract needs to know about a wallet.
    /// @param entityId the owning entity, zero for a system account or an unknown wallet
    /// @param kind the owning entity's kind, `System` for a system account, `None` for an unknown wallet
    /// @param verified whether the wallet may act now
    struct WalletIdentity {
        bytes32 entityId;
        EntityKind kind;
        bool verified;
    }

    /// @notice An entity id of zero was given.
    error IdentityZeroEntityId();
    /// @notice A zero address was given where a wallet is needed.
    error IdentityZeroAddress();
    /// @notice `kind` cannot be registered.
    error IdentityInvalidKind(EntityKind kind);
    /// @notice The entity is already registered (by any provider).
    error IdentityEntityExists(bytes32 entityId);
    /// @notice No entity has this id.
    error IdentityUnknownEntity(bytes32 entityId);
    /// @notice The wallet is not linked to any entity.
    error IdentityUnknownWallet(address wallet);
    /// @notice The wallet is already linked to an entity or registered as a system account.
    error IdentityWalletLinked(address wallet);
    /// @notice `expiresAt` is not after the current time `nowTs`.
    error IdentityExpiryNotInFuture(uint48 expiresAt, uint256 nowTs);
    /// @notice `caller` is not the provider that verified `entityId`.
    error IdentityNotEntityProvider(bytes32 entityId, address caller);
    /// @notice A provider cannot link its own wallet.
    error IdentitySelfVerification(address wallet);
    /// @notice The entity is in `status`, which does not allow this act.
    error IdentityWrongStatus(bytes32 entityId, EntityStatus status);
    /// @notice The entity already has `max` wallets.
    error IdentityTooManyWallets(bytes32 entityId, uint256 max);
    /// @notice A system account must be a deployed contract.
    error IdentityNotAContract(address account);
    /// @notice `account` is not a registered system account.
    error IdentityNotSystemAccount(address account);
    /// @notice `subscriber` already receives standing updates.
    error IdentityAlreadySubscribed(address subscriber);
    /// @notice `subscriber` does not receive standing updates.
    error IdentityNotSubscribed(address subscriber);
    /// @notice The registry already publishes to `max` subscribers.
    error IdentityTooManySubscribers(uint256 max);

    /// @notice `provider` verified `entityId`.
    event EntityRegistered(
        bytes32 indexed entityId,
        EntityKind kind,
        bytes32 jurisdiction,
        uint48 expiresAt,
        address indexed provider
    );
    /// @notice The verification of `entityId` now runs until `expiresAt`.
    event EntityRenewed(bytes32 indexed entityId, uint48 expiresAt);
    /// @notice `entityId` changed standing (suspended, reinstated or revoked) by `by`.
    event EntityStatusChanged(bytes32 indexed entityId, EntityStatus status, address indexed by);
    /// @notice `wallet` now belongs to `entityId`.
    event WalletLinked(bytes32 indexed entityId, address indexed wallet);
    /// @notice `wallet` no longer belongs to `entityId`.
    event WalletUnlinked(bytes32 indexed entityId, address indexed wallet);
    /// @notice `account` is a verified system contract.
    event SystemAccountRegistered(address indexed account);
    /// @notice `account` is no longer a system contract.
    event SystemAccountRemoved(address indexed account);
    /// @notice `subscriber` now receives every change of every wallet's standing.
    event SubscriberAdded(address indexed subscriber);
    /// @notice `subscriber` no longer receives standing updates.
    event SubscriberRemoved(address indexed subscriber);

    /// @notice Registers and verifies a new entity with its first wallets. Provider only.
    function registerEntity(
        bytes32 entityId,
        EntityKind kind,
        bytes32 jurisdiction,
        uint48 expiresAt,
        address[] calldata wallets
    ) external;

    /// @notice Extends or shortens the verification of an entity the caller verified.
    function renewEntity(bytes32 entityId, uint48 expiresAt) external;

    /// @notice Suspends an entity the caller verified; its wallets stop being verified at once.
    function suspendEntity(bytes32 entityId) external;

    /// @notice Lifts the caller's suspension of an entity it verified.
    function reinstateEntity(bytes32 entityId) external;

    /// @notice Revokes any entity for good. Admin only.
    function revokeEntity(bytes32 entityId) external;

    /// @notice Links one more wallet to an entity the caller verified.
    function linkWallet(bytes32 entityId, address wallet) external;

    /// @notice Unlinks a wallet from the entity the caller verified.
    function unlinkWallet(address wallet) external;

    /// @notice Registers a deployed platform contract as a verified system account. Admin only.
    function registerSystemAccount(address account) external;

    /// @notice Removes a system account. Admin only.
    function removeSystemAccount(address account) external;

    /// @notice Publishes every later change of any wallet's standing to `subscriber`, a platform contract that
    /// keeps a copy of it (see IIdentitySubscriber). Admin only.
    function addSubscriber(address subscriber) external;

    /// @notice Stops publishing to `subscriber`, which then stops trusting its copy. Admin only.
    function removeSubscriber(address subscriber) external;

    /// @notice Publishes the current standing of `wallets` again to every subscriber: for wallets registered
    /// before a subscriber was added, which it otherwise looks up in the registry. Admin only.
    function republish(address[] calldata wallets) external;

    /// @notice The contracts the registry publishes standing changes to.
    function subscribers() external view returns (address[] memory);

    /// @notice The stored standing of `wallet` (all zero for an unknown wallet).
    function credentialOf(address wallet) external view returns (Credential memory);

    /// @notice Whether `wallet` may act now: an active, unexpired entity's wallet, or a system account.
    function isVerified(address wallet) external view returns (bool);

    /// @notice The kinds of two wallets in one call (the hot path of every transfer); an unverified wallet's
    /// kind reads as `None`.
    function kindsIfVerified(address a, address b) external view returns (EntityKind aKind, EntityKind bKind);

    /// @notice The entity, kind and standing of `wallet`.
    function identityOf(address wallet) external view returns (WalletIdentity memory);

    /// @notice The kinds of two wallets if verified now (as `kindsIfVerified`), and whether they are one party: the
    /// same wallet or wallets of the same entity. One call, two storage reads: the hot path of a trade.
    function partiesIfVerified(
        address a,
        address b
    ) external view returns (EntityKind aKind, EntityKind bKind, bool sameEntity);

    /// @notice The entity `wallet` belongs to; zero for a wallet of no entity (unknown, or a system account).
    function entityOf(address wallet) external view returns (bytes32);

    /// @notice Whether `a` and `b` are one party: the same wallet, or wallets of the same entity. Every liability
    /// and party rule of the platform compares parties this way.
    function sameEntity(address a, address b) external view returns (bool);

    /// @notice The record of `entityId`; reverts for an unknown id.
    function entity(bytes32 entityId) external view returns (Entity memory);

    /// @notice The wallets of `entityId`; reverts for an unknown id.
    function walletsOf(bytes32 entityId) external view returns (address[] memory);

    /// @notice How many entities were ever registered.
    function entityCount() external view returns (uint256);

    /// @notice Up to `limit` entity ids in registration order, from index `offset`.
    function entityIds(uint256 offset, uint256 limit) external view returns (bytes32[] memory);
}
