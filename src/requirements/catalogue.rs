//! The requirement catalogue: one `static` per rule Accord checks, and [`ALL`] listing them.
//!
//! A check that fails returns a violation pointing at one of these entries, so a report can
//! say which spec and section was broken and how strongly the spec words the rule.
//!
//! # Identifiers
//!
//! An id is `<PREFIX>-<section>-<suffix>`: the spec prefix, the section exactly as in
//! [`Requirement::section`], and a short kebab-case suffix naming the rule, e.g.
//! `SDJWT-RFC9901-7.1-duplicate-digest`. Ids are stable; reports and event logs key on them,
//! so an id is never renamed once published (add a new entry instead).
//!
//! | Prefix | Spec | `Spec` variant |
//! |---|---|---|
//! | `SDJWT-RFC9901-` | RFC 9901 (SD-JWT) | `SdJwt` |
//! | `SDJWTVC-` | draft-ietf-oauth-sd-jwt-vc | `SdJwtVc` |
//! | `TSL-` | draft-ietf-oauth-status-list | `TokenStatusList` |
//! | `HAIP-` | OpenID4VC HAIP 1.0 | `Haip` |
//! | `JOSE-RFC7515-`, `JOSE-RFC8725-` | JWS, JWT BCP | `Jose` |
//! | `X509-RFC5280-` | RFC 5280 path validation | `X509` |
//! | `TL-` | ETSI TS 119 612 / TS 119 602, as modelled by Accord (the JSON lists) | `TrustList` |
//! | `TL-TS119612-` | ETSI TS 119 612 XML trusted lists (`trust_lists.rs`) | `TrustList` |
//! | `VCDM-`, `OB3-` | VC-JWT: VCDM 1.1 clause 6.3.1, Open Badges 3.0 (`vc_jwt.rs`) | `VcJwt` |
//! | `EDC-` | Europass EDC: VCDM 1.1 core and the EDC application profile shapes (`edc.rs`) | `Edc` |
//! | `BSL-` | W3C Bitstring Status List v1.0 (`bitstring_status.rs`) | `BitstringStatusList` |
//! | `DI-EDDSA-`, `DI-`, `OB3-` | Data Integrity: `eddsa-rdfc-2022`, VC Data Integrity 1.0, the Open Badges 3.0 Linked Data proof (`data_integrity.rs`) | `DataIntegrity` |
//! | `MC-EU-` | EU micro-credentials: Council Recommendation 2022/C 243/02, Annex I (`micro_credentials.rs`) | `MicroCredentials` |
//! | `PROFILE-EUDIPLOMA-`, `PROFILE-JPDEGREE-`, `MRA-EUJP-` | Accord's own EU–JP profile | `EuJpAcademic` |
//! | `OID4VCI-` | OpenID4VCI 1.0 | `Oid4vci` |
//! | `OID4VP-` | OpenID4VP 1.0 (appendix sections by letter, e.g. `B.3.6`) | `Oid4vp` |
//! | `OAUTH-RFC7636-`, `OAUTH-RFC9101-` | PKCE, JAR | `OAuth` |
//!
//! # Levels
//!
//! The level is the RFC 2119 keyword the spec itself uses for the rule (ETSI "shall" counts
//! as MUST). Where a spec words a rule in lower case (not a BCP 14 keyword) the entry says so
//! in its doc comment. Accord's own rules use MUST for reject rules and SHOULD for
//! flag-for-review rules.
//!
//! # Versions read
//!
//! Section numbers were read from the spec sources themselves, not from secondary material:
//!
//! - **RFC 9901**: the text of `draft-ietf-oauth-selective-disclosure-jwt-22` (tag of that name
//!   in oauth-wg/oauth-selective-disclosure-jwt, commit `3ef7f8e`), the draft RFC 9901 was
//!   published from (November 2025). Sections are cited with that draft's numbering.
//! - **SD-JWT VC**: the editor's copy of `draft-ietf-oauth-sd-jwt-vc` at oauth-wg/oauth-sd-jwt-vc
//!   commit `f50f0a4` (2026-08-21), whose Document History is headed `-19` (AD and HTTP
//!   directorate review). The newest tag is `-18`; every section cited here has the same
//!   number in `-18`. Note that drafts up to `-09` numbered the same material `3.x`
//!   (design.md's `SDJWTVC-3.2.2.2` example uses that old numbering; it is `2.2.2.x` now).
//! - **Token Status List**: `draft-ietf-oauth-status-list-20` (tag; the repository head
//!   `2fb61cd` has identical text).
//! - **HAIP**: OpenID4VC High Assurance Interoperability Profile 1.0, final
//!   (openid/OpenID4VC-HAIP commit `3a6df53`, 2025-12-29). The errata-1 editor's draft
//!   (`1.0/…-1_0-09`) has the same section numbering.
//! - **RFC 7515** (JWS), **RFC 7519** (JWT), **RFC 8725** (JWT BCP), **RFC 5280** (X.509).
//! - **ETSI TS 119 612** v2.x clause numbers (5.3.15 next update, 5.5.1 service type,
//!   5.5.4 service status, 5.7 digital signature); Accord models TS 119 602 lists of trusted
//!   entities with the same fields and cites the TS 119 612 clause.
//! - **Accord's own rules**: `docs/profiles.md`, sections (a) claim sets,
//!   (b) EU–JP mapping and (c) conformance checks; summaries quote its check numbers as `#n`.

use super::{Level, Requirement, Role, Spec};

// ---------------------------------------------------------------------------------------------
// SD-JWT, RFC 9901
// ---------------------------------------------------------------------------------------------

/// Compact serialization (RFC 9901 §4): `<Issuer-signed JWT>~<D1>~…~<Dn>~` for an SD-JWT and the
/// same followed by the KB-JWT for an SD-JWT+KB. Without a KB-JWT the last component is empty
/// and the final tilde must be present; a verifier expecting one form checks the last component.
pub static SDJWT_FORMAT: Requirement = Requirement {
    id: "SDJWT-RFC9901-4-format",
    spec: Spec::SdJwt,
    section: "4",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet, Role::Verifier],
    summary: "Compact form is the issuer-signed JWT, a tilde, each disclosure followed by a tilde, then the KB-JWT or nothing; the trailing tilde is never omitted",
};

/// RFC 9901 §4.1 forbids signing the issuer-signed JWT with `none`; §7.1 step 2.1 forbids
/// accepting it. (The KB-JWT's `alg` is likewise barred from `none` by §4.3 and §7.3 step 5.2;
/// that case is reported under [`JOSE_ALG_ALLOWED`].)
pub static SDJWT_ALG_NONE_REJECTED: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.1-alg-none-rejected",
    spec: Spec::SdJwt,
    section: "7.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "An issuer-signed JWT whose alg is none is never accepted",
};

/// RFC 9901 §7.1 step 2.2 (validate per RFC 7515 §5.2) and step 2.3 (the key belongs to the
/// issuer); §9.1 repeats that the verifier always checks the signature and rejects on failure.
pub static SDJWT_ISSUER_SIGNATURE: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.1-issuer-signature",
    spec: Spec::SdJwt,
    section: "7.1",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The issuer-signed JWT's signature verifies under a key shown to belong to the issuer; otherwise the SD-JWT is rejected",
};

/// RFC 9901 §4.1.1: `_sd_alg` only at the top level; absent means `sha-256` (domain check #6);
/// `sha-256` must be supported. §7.1 step 2 requires the value to be understood and deemed
/// secure by the recipient's policy.
pub static SDJWT_SD_ALG: Requirement = Requirement {
    id: "SDJWT-RFC9901-4.1.1-sd-alg",
    spec: Spec::SdJwt,
    section: "4.1.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "_sd_alg appears only at the top level, names a hash the recipient understands and trusts, and when absent sha-256 is used",
};

/// RFC 9901 §7.1 step 3.3.2.1 (a digest in `_sd` needs a 3-element disclosure: salt, name,
/// value) and step 3.3.3.1 (a digest in an array element needs a 2-element disclosure: salt,
/// value); either mismatch rejects the SD-JWT. The forms are defined in §4.2.1 and §4.2.2
/// (the salt is a string; the claim name is a string).
pub static SDJWT_DISCLOSURE_FORMAT: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.1-disclosure-format",
    spec: Spec::SdJwt,
    section: "7.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "A disclosure decodes to a JSON array: [salt, name, value] for an object property or [salt, value] for an array element",
};

/// RFC 9901 §4.2.3: the digest input is the US-ASCII bytes of the base64url disclosure string
/// itself, never the decoded JSON, so any JSON spelling chosen by the issuer (escaped or raw
/// UTF-8, whitespace) verifies unchanged (the "Möbius" note in §4.2.1; domain check #4).
pub static SDJWT_DIGEST_OVER_RECEIVED: Requirement = Requirement {
    id: "SDJWT-RFC9901-4.2.3-digest-over-received",
    spec: Spec::SdJwt,
    section: "4.2.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "A disclosure's digest is computed over its base64url string exactly as received, without decoding or re-encoding the JSON",
};

/// RFC 9901 §4.2.4.1: `_sd` refers to an array of strings (digests or decoys); §4.1 rule 7
/// reserves `_sd` for that purpose only.
pub static SDJWT_SD_ARRAY: Requirement = Requirement {
    id: "SDJWT-RFC9901-4.2.4.1-sd-array",
    spec: Spec::SdJwt,
    section: "4.2.4.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "Every _sd member is an array of digest strings",
};

/// RFC 9901 §7.1 step 4 (and §4.1: the same digest never appears twice in the SD-JWT).
/// Counted over the issuer-signed payload and, recursively, the contents of disclosures
/// (domain check #5).
pub static SDJWT_DUPLICATE_DIGEST: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.1-duplicate-digest",
    spec: Spec::SdJwt,
    section: "7.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "An SD-JWT in which any digest occurs more than once, in the payload or inside disclosures, is rejected",
};

/// RFC 9901 §7.1 step 5; §4.2.6 adds that a presented disclosure must connect to the
/// issuer-signed JWT, possibly through other presented disclosures.
pub static SDJWT_UNREFERENCED_DISCLOSURE: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.1-unreferenced-disclosure",
    spec: Spec::SdJwt,
    section: "7.1",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "An SD-JWT carrying a disclosure that no digest references, directly or through other disclosures, is rejected",
};

/// RFC 9901 §4: a holder never sends a disclosure that was not in the issued SD-JWT, nor the
/// same disclosure twice. This is a holder rule; §7.1 has no explicit verifier step for a
/// repeated disclosure (its digest occurs once in the payload, so step 4 does not fire), so a
/// verifier's handling of it is reported against this entry.
pub static SDJWT_DUPLICATE_DISCLOSURE: Requirement = Requirement {
    id: "SDJWT-RFC9901-4-duplicate-disclosure",
    spec: Spec::SdJwt,
    section: "4",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "A presentation contains each disclosure at most once and only disclosures from the issued SD-JWT",
};

/// RFC 9901 §7.1 step 3.3.2.2 (definition in §4.2.1).
pub static SDJWT_CLAIM_NAME_RESERVED: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.1-claim-name-reserved",
    spec: Spec::SdJwt,
    section: "7.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "A disclosure whose claim name is _sd or ... is rejected",
};

/// RFC 9901 §7.1 step 3.3.2.3 (definition in §4.2.1).
pub static SDJWT_CLAIM_NAME_COLLISION: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.1-claim-name-collision",
    spec: Spec::SdJwt,
    section: "7.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "A disclosed claim name that already exists in the object holding the _sd array is rejected",
};

/// RFC 9901 §4.2.4.2: an array element digest is an object with the single key `...` whose
/// value is the digest, and no other key. Referencing a 3-element (object-property) disclosure
/// from an array element, or a 2-element (array-element) disclosure from `_sd`, is rejected by
/// §7.1 steps 3.3.2.1 / 3.3.3.1.
pub static SDJWT_ARRAY_ELEMENT_FORM: Requirement = Requirement {
    id: "SDJWT-RFC9901-4.2.4.2-array-element-form",
    spec: Spec::SdJwt,
    section: "4.2.4.2",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "A hidden array element is an object with exactly one key, ..., holding the digest; object-property and array-element disclosures are not interchangeable",
};

/// RFC 9901 §7.3 steps 1–2 (and §9.5): the verifier decides from its own policy whether key
/// binding is required, never from whether a KB-JWT was sent, and rejects a bare SD-JWT when it
/// is. HAIP 1.0 §6.1.1.1 requires a KB-JWT whenever the credential is holder-bound (`cnf`).
pub static SDJWT_KB_REQUIRED: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.3-kb-required",
    spec: Spec::SdJwt,
    section: "7.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "Whether key binding is required comes from verifier policy, not from the presentation; when required, a presentation without a KB-JWT is rejected",
};

/// RFC 9901 §4.3 (header `typ` is `kb+jwt`) and §7.3 step 5.4.
pub static SDJWT_KB_TYP: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.3-kb-typ",
    spec: Spec::SdJwt,
    section: "7.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The KB-JWT header typ is kb+jwt",
};

/// RFC 9901 §4.3.2: the key that verifies the KB-JWT is the holder key named in the SD-JWT
/// (e.g. `cnf.jwk`); §7.3 steps 5.1–5.3. SD-JWT VC §2.4 and §2.2.2.3 require `cnf` to be used.
pub static SDJWT_KB_SIGNATURE: Requirement = Requirement {
    id: "SDJWT-RFC9901-4.3.2-kb-signature",
    spec: Spec::SdJwt,
    section: "4.3.2",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The KB-JWT signature verifies under the holder key the SD-JWT confirms (cnf), and no other key",
};

/// `sd_hash` (RFC 9901 §4.3 REQUIRED, computed per §4.3.1, checked in §7.3 step 5.7).
///
/// What the hash covers:
///
/// - **Compact**: the US-ASCII bytes of the presented SD-JWT up to and including the tilde
///   that precedes the KB-JWT, i.e. `<Issuer-signed JWT>~<D1>~…~<Dn>~` with the disclosures
///   exactly as sent, in the order sent (with none: `<Issuer-signed JWT>~`). The KB-JWT itself
///   is not included.
/// - **JSON serialization**: the same compact string, rebuilt temporarily (§8.1): the JWS
///   `protected`, `payload` and `signature` values joined by `.`, then `~`, then each string of
///   the unprotected header's `disclosures` array in array order, each followed by `~`.
///   Nothing else of the JSON object (not `kb_jwt`, not other unprotected header members, not
///   the JSON text) is hashed.
///
/// The hash is the `_sd_alg` algorithm (default `sha-256`); the digest bytes are base64url
/// encoded without padding. Domain check #7.
pub static SDJWT_KB_SD_HASH: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.3-kb-sd-hash",
    spec: Spec::SdJwt,
    section: "7.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The KB-JWT carries sd_hash, equal to the base64url _sd_alg digest of the issuer-signed JWT and presented disclosures in compact form ending with a tilde",
};

/// RFC 9901 §4.3 (`nonce` REQUIRED, a string) and §7.3 step 5.6.
pub static SDJWT_KB_NONCE: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.3-kb-nonce",
    spec: Spec::SdJwt,
    section: "7.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The KB-JWT nonce is a string equal to the nonce of the current transaction",
};

/// RFC 9901 §4.3 (`aud` REQUIRED, a single string) and §7.3 step 5.6. Under OpenID4VP the
/// expected value is the full client identifier including its prefix (domain check #8).
pub static SDJWT_KB_AUD: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.3-kb-aud",
    spec: Spec::SdJwt,
    section: "7.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The KB-JWT aud is a single string identifying this verifier",
};

/// RFC 9901 §4.3 (`iat` REQUIRED) and §7.3 step 5.5; the window is verifier policy
/// (Accord's default is ±300 s, domain check #26).
pub static SDJWT_KB_IAT: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.3-kb-iat",
    spec: Spec::SdJwt,
    section: "7.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The KB-JWT iat is present and falls within the verifier's acceptance window",
};

/// RFC 9901 §7.1 step 6: validity claims such as `nbf` and `exp` in the processed payload are
/// checked when present (their semantics are RFC 7519 §4.1.4 / §4.1.5), and a validity claim
/// the verifier requires but cannot find rejects the SD-JWT (§9.7).
pub static SDJWT_TIME_VALIDITY: Requirement = Requirement {
    id: "SDJWT-RFC9901-7.1-time-validity",
    spec: Spec::SdJwt,
    section: "7.1",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "exp and nbf in the processed payload are honoured when present, and a validity claim the verifier requires must not be missing",
};

/// JWS JSON serialization (RFC 9901 §8; support is OPTIONAL, these rules bind when it is used).
///
/// - §8.1: SD-JWT or SD-JWT+KB is a JWS JSON object (RFC 7515 §7.2) with new unprotected
///   header members `disclosures` (array of disclosure strings) and, in an SD-JWT+KB only,
///   `kb_jwt` (the compact KB-JWT), which must then be present.
/// - §8.2 flattened: the single `header` carries them. §8.3 general: they go in the first
///   signature's unprotected header and in no later one.
/// - `sd_hash` (§8.1, §8.4): computed over the temporary compact form
///   `protected.payload.signature~D1~…~Dn~`, built from the JWS members as received and the
///   `disclosures` array in order; no other unprotected header member is covered. For the
///   general form with several signatures the RFC does not say which one to use; Accord uses the
///   first `signatures` entry, the one whose header carries `disclosures`.
pub static SDJWT_JSON_SERIALIZATION: Requirement = Requirement {
    id: "SDJWT-RFC9901-8.1-json-serialization",
    spec: Spec::SdJwt,
    section: "8.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet, Role::Verifier],
    summary: "In JWS JSON form, disclosures and kb_jwt sit in the (first) unprotected header, and sd_hash covers the rebuilt compact SD-JWT, not the JSON text",
};

/// RFC 9901 §4.2.5: decoys are optional; a verifier ignores digests without a disclosure
/// (§7.1 step 3.3.1).
pub static SDJWT_DECOYS: Requirement = Requirement {
    id: "SDJWT-RFC9901-4.2.5-decoys",
    spec: Spec::SdJwt,
    section: "4.2.5",
    level: Level::May,
    applies_to: &[Role::Issuer],
    summary: "The issuer may add decoy digests, made with the same hash, to _sd arrays and arrays; verifiers ignore digests they have no disclosure for",
};

// ---------------------------------------------------------------------------------------------
// JOSE: RFC 7515, RFC 8725
// ---------------------------------------------------------------------------------------------

/// RFC 8725 §3.1 (only algorithms from the caller's allow-list; `alg` must match the operation;
/// one algorithm per key) and §3.2 (only current algorithms acceptable to the application).
/// RFC 9901 §7.1 step 2.1 and §7.3 step 5.2 point here. Accord's allow-list is asymmetric only
/// (ES256 at minimum, see [`HAIP_ES256`]): `none` and the HMAC family (HS256/384/512) are
/// rejected for issuer-signed JWTs, KB-JWTs and status list tokens.
pub static JOSE_ALG_ALLOWED: Requirement = Requirement {
    id: "JOSE-RFC8725-3.1-alg-allowed",
    spec: Spec::Jose,
    section: "3.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet, Role::Verifier],
    summary: "A JWS is verified only with an algorithm on the verifier's asymmetric allow-list; none and HMAC algorithms are rejected",
};

// ---------------------------------------------------------------------------------------------
// SD-JWT VC, draft-ietf-oauth-sd-jwt-vc (-19 editor's copy)
// ---------------------------------------------------------------------------------------------

/// SD-JWT VC §2.2.1: the issuer includes `typ` and its value is `dc+sd-jwt` (domain check #1).
pub static SDJWTVC_TYP: Requirement = Requirement {
    id: "SDJWTVC-2.2.1-typ",
    spec: Spec::SdJwtVc,
    section: "2.2.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "The issuer-signed JWT header carries typ dc+sd-jwt",
};

/// Legacy `typ` value `vc+sd-jwt`. Draft `-18` §2.2.1 ended with a note saying both values
/// "should" (lower case, not a BCP 14 keyword) be accepted for a reasonable transitional period;
/// the `-19` editor's copy removed that note at AD review, leaving `dc+sd-jwt` as the only
/// value. Hence level MAY, which makes a violation non-fatal: in lenient mode a checker reports
/// `vc+sd-jwt` against this entry as a finding; in strict mode it reports it against
/// [`SDJWTVC_TYP`] (MUST), which rejects (domain check #1).
pub static SDJWTVC_TYP_LEGACY: Requirement = Requirement {
    id: "SDJWTVC-2.2.1-typ-legacy",
    spec: Spec::SdJwtVc,
    section: "2.2.1",
    level: Level::May,
    applies_to: &[Role::Verifier],
    summary: "typ vc+sd-jwt is at most tolerated as a transitional legacy value (the -18 note, dropped in -19); strict mode rejects it",
};

/// SD-JWT VC §2.2.2.1 (`vct` is a case-sensitive string and a collision-resistant name,
/// RFC 7515 §2) and §2.2.2.3 (`vct` REQUIRED, never disclosable).
pub static SDJWTVC_VCT: Requirement = Requirement {
    id: "SDJWTVC-2.2.2.1-vct",
    spec: Spec::SdJwtVc,
    section: "2.2.2.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "vct is present and is a case-sensitive string that is a collision-resistant name",
};

/// SD-JWT VC §2.2.2.3: these registered claims, including any of their sub-claims, are never
/// placed in disclosures: `iss`, `nbf`, `exp`, `cnf`, `vct`, `vct#integrity`, `aka_vcts`,
/// `status`. (`sub` and `iat` may be disclosed.) The sub-claim wording is new in `-19`;
/// `aka_vcts` was added in `-18`. Domain check #2.
pub static SDJWTVC_REGISTERED_NOT_DISCLOSABLE: Requirement = Requirement {
    id: "SDJWTVC-2.2.2.3-registered-not-disclosable",
    spec: Spec::SdJwtVc,
    section: "2.2.2.3",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "iss, nbf, exp, cnf, vct, vct#integrity, aka_vcts and status, and anything beneath them, never appear inside a disclosure",
};

/// SD-JWT VC §2.2.2.3: `iss` is OPTIONAL (the issuer may instead be conveyed by the subject of
/// the `x5c` leaf) and never disclosable; when present it is a StringOrURI (RFC 7519 §4.1.1,
/// and a value containing `:` must be a URI, RFC 7519 §2). The level is that of the shape rule;
/// presence itself is optional. Under JWT VC Issuer Metadata discovery it is an HTTPS URI
/// (§2.5); Accord's profile always uses an HTTPS `iss` (domain (a)).
pub static SDJWTVC_ISS: Requirement = Requirement {
    id: "SDJWTVC-2.2.2.3-iss",
    spec: Spec::SdJwtVc,
    section: "2.2.2.3",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "iss is optional, but when present it is a StringOrURI naming the issuer (an HTTPS URI for metadata-based key discovery)",
};

/// SD-JWT VC §2.2.2.3: `cnf` is OPTIONAL unless key binding is to be supported, then REQUIRED;
/// a JWK (RFC 7800 §3.2) is RECOMMENDED, and HAIP 1.0 §6.1 makes `cnf.jwk` mandatory for
/// holder-bound credentials; the KB-JWT is secured by this key.
pub static SDJWTVC_CNF: Requirement = Requirement {
    id: "SDJWTVC-2.2.2.3-cnf",
    spec: Spec::SdJwtVc,
    section: "2.2.2.3",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "A credential meant for key binding carries cnf (a jwk under HAIP), and the KB-JWT must be signed by that key",
};

/// SD-JWT VC §2.2.2.3: `status` is OPTIONAL and never disclosable; with the `status_list`
/// mechanism the status list token is a JWT. §2.4: status SHOULD be checked when present.
/// The `status_list` shape itself is [`TSL_REFERENCED_TOKEN`]; HAIP 1.0 §6.1 requires
/// `status_list` whenever `status` is present.
pub static SDJWTVC_STATUS: Requirement = Requirement {
    id: "SDJWTVC-2.2.2.3-status",
    spec: Spec::SdJwtVc,
    section: "2.2.2.3",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "status, when present, is a Token Status List reference whose status list token is a JWT, and the verifier checks it",
};

/// Issuer key from `x5c` must belong to the issuer (domain check #13).
///
/// SD-JWT VC §2.5 (`-19`): with inline X.509, the key is the `x5c` leaf's and the issuer is the
/// leaf's subject; if the key cannot be validated as the issuer's through a permitted mechanism
/// the credential MUST be rejected. The explicit rule "`iss` matches a `uniformResourceIdentifier`
/// SAN of the leaf, or its host matches a `dNSName` SAN" was draft `-09` §3.5 and was removed in
/// `-10`; HAIP 1.0 §6.1.1 still cites "section 3.5". Accord applies that SAN match whenever `iss`
/// is present alongside `x5c`.
pub static SDJWTVC_X5C_ISS_SAN: Requirement = Requirement {
    id: "SDJWTVC-2.5-x5c-iss-san",
    spec: Spec::SdJwtVc,
    section: "2.5",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "With x5c key discovery the leaf certificate must identify the issuer: iss, when present, matches a URI SAN or its host a dNSName SAN of the leaf",
};

/// SD-JWT VC §2.2.2.3: `iat` is OPTIONAL and, unlike the claims in
/// [`SDJWTVC_REGISTERED_NOT_DISCLOSABLE`], may be selectively disclosed; when present it is a
/// NumericDate (RFC 7519 §4.1.6). Accord's profile keeps it always disclosed (domain (a)).
pub static SDJWTVC_IAT: Requirement = Requirement {
    id: "SDJWTVC-2.2.2.3-iat",
    spec: Spec::SdJwtVc,
    section: "2.2.2.3",
    level: Level::May,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "iat is optional and may be selectively disclosed; when present it is a NumericDate",
};

/// SD-JWT VC §6: when an `#integrity` value (e.g. `vct#integrity`) is present, the retrieved
/// document's digest must match it, else the document is rejected (domain check #11).
pub static SDJWTVC_VCT_INTEGRITY: Requirement = Requirement {
    id: "SDJWTVC-6-vct-integrity",
    spec: Spec::SdJwtVc,
    section: "6",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "A retrieved type metadata document that does not match vct#integrity (or another #integrity value) is rejected",
};

// ---------------------------------------------------------------------------------------------
// Token Status List, draft-ietf-oauth-status-list-20
// ---------------------------------------------------------------------------------------------

/// TSL §5.1: JWT header `typ` is `statuslist+jwt` (domain check #18).
pub static TSL_TYP: Requirement = Requirement {
    id: "TSL-5.1-typ",
    spec: Spec::TokenStatusList,
    section: "5.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "A status list token in JWT form has header typ statuslist+jwt",
};

/// TSL §4.1 step 1 (the issuer picks 1, 2, 4 or 8 bits per token) and §4.2 (`bits` is
/// REQUIRED; only 1, 2, 4 and 8 are allowed). Domain check #17.
pub static TSL_BITS: Requirement = Requirement {
    id: "TSL-4.1-bits",
    spec: Spec::TokenStatusList,
    section: "4.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "bits is 1, 2, 4 or 8; any other value makes the status list invalid",
};

/// TSL §4.1 steps 3–4 and §4.2: each index owns `bits` contiguous bits, packed into bytes from
/// the least significant bit (bit 0) upwards, so index `i` lives in byte `i * bits / 8` at bit
/// offset `(i * bits) % 8`; the byte array is DEFLATE-compressed in ZLIB format (RFC 1950/1951)
/// and, in JSON, `lst` is its base64url encoding. (W3C Bitstring Status List counts from the
/// most significant bit instead: a known source of wrong-bit bugs, domain (d) 8.)
pub static TSL_ENCODING: Requirement = Requirement {
    id: "TSL-4.1-encoding",
    spec: Spec::TokenStatusList,
    section: "4.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "lst is base64url of a ZLIB/DEFLATE-compressed byte array in which statuses are packed least-significant bit first",
};

/// TSL §5.1 (`sub` equals the referenced token's `status_list.uri`), checked in §8.3 step 4a
/// (domain check #18).
pub static TSL_SUB_URI: Requirement = Requirement {
    id: "TSL-5.1-sub-uri",
    spec: Spec::TokenStatusList,
    section: "5.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "The status list token's sub equals the uri in the referenced token's status_list",
};

/// TSL §5.1 additional rule 2 (signed or MACed; relying parties reject an invalid signature)
/// and §8.3 step 3a (validate per RFC 7519 §7.2). Accord accepts signatures only
/// (see [`JOSE_ALG_ALLOWED`]) and, under HAIP, a key from `x5c` ([`HAIP_STATUS_LIST_X5C`]).
pub static TSL_SIGNATURE: Requirement = Requirement {
    id: "TSL-5.1-signature",
    spec: Spec::TokenStatusList,
    section: "5.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "A status list token whose signature does not verify is rejected",
};

/// TSL §8.3 step 6: an index beyond the list yields no statement and the referenced token is
/// rejected (domain check #19).
pub static TSL_INDEX_RANGE: Requirement = Requirement {
    id: "TSL-8.3-index-range",
    spec: Spec::TokenStatusList,
    section: "8.3",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "A status index outside the decoded list makes the referenced token rejected",
};

/// TSL §8.3 closing paragraph: if any step fails (the list cannot be resolved, fails
/// validation, cannot be decompressed, …) no statement about status can be made and the
/// referenced token SHOULD be rejected. The draft words it SHOULD, so a violation of this entry
/// is not fatal by level alone: Accord's verifier profile fails closed (domain check #19), and a
/// checker enforcing that must reject explicitly rather than rely on `Violation::is_fatal`.
pub static TSL_FETCH_FAIL_CLOSED: Requirement = Requirement {
    id: "TSL-8.3-fetch-fail-closed",
    spec: Spec::TokenStatusList,
    section: "8.3",
    level: Level::Should,
    applies_to: &[Role::Verifier],
    summary: "When the status list cannot be fetched or validated, the referenced token is not accepted",
};

/// TSL §6.2: `status` is an object; `status.status_list` has `idx` (non-negative integer) and
/// `uri` (an RFC 3986 URI string); checked first in §8.3 step 1.
pub static TSL_REFERENCED_TOKEN: Requirement = Requirement {
    id: "TSL-6.2-referenced-token",
    spec: Spec::TokenStatusList,
    section: "6.2",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "status.status_list holds idx, a non-negative integer, and uri, a URI of the status list token",
};

/// TSL §7.1 (and §7): 0x00 VALID, 0x01 INVALID (revoked), 0x02 SUSPENDED (temporary);
/// 0x03 and 0x0C–0x0F are application-specific; the whole `bits`-wide value is one status;
/// registered values must be used where the semantics fit.
pub static TSL_STATUS_VALUES: Requirement = Requirement {
    id: "TSL-7.1-status-values",
    spec: Spec::TokenStatusList,
    section: "7.1",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "Status values mean 0x00 VALID, 0x01 INVALID and 0x02 SUSPENDED; other values are reserved or application-specific",
};

/// TSL §8.3 step 4c (an `exp` that has passed must be detected) and step 4d (a caching relying
/// party SHOULD refetch once resolved-time + `ttl` is past); §5.1 makes `exp` and `ttl`
/// RECOMMENDED, `ttl` a positive number, and §8.2 puts them above HTTP caching headers.
pub static TSL_EXP_TTL: Requirement = Requirement {
    id: "TSL-8.3-exp-ttl",
    spec: Spec::TokenStatusList,
    section: "8.3",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "An expired status list token is not used, and a cached one is refreshed once its ttl has run out",
};

/// TSL §8.3 first paragraphs (also §7.1): the referenced token is validated first; an expired
/// token stays expired even if its status is VALID (domain check #21).
pub static TSL_PROCESSING_ORDER: Requirement = Requirement {
    id: "TSL-8.3-processing-order",
    spec: Spec::TokenStatusList,
    section: "8.3",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "The referenced token's own validity (signature, exp) is checked before its status, and a VALID status never revives an expired token",
};

// ---------------------------------------------------------------------------------------------
// HAIP 1.0
// ---------------------------------------------------------------------------------------------

/// HAIP 1.0 §6.1.1: the trust anchor's certificate is not included in the credential's `x5c`
/// (§6.1 says the same for status list tokens); trust comes from an out-of-band anchor
/// (domain check #12).
pub static HAIP_X5C_NO_ROOT: Requirement = Requirement {
    id: "HAIP-6.1.1-x5c-no-root",
    spec: Spec::Haip,
    section: "6.1.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "x5c does not contain the trust anchor's certificate; the anchor comes from outside the credential",
};

/// HAIP 1.0 §6.1.1: X.509-based issuer key resolution is mandatory for all roles, and the
/// credential carries the issuer's signing certificate plus chain in `x5c`.
pub static HAIP_X5C_REQUIRED: Requirement = Requirement {
    id: "HAIP-6.1.1-x5c-required",
    spec: Spec::Haip,
    section: "6.1.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "The SD-JWT VC header carries x5c with the issuer's signing certificate and its chain, and every role supports resolving the key from it",
};

/// HAIP 1.0 §7: ECDSA P-256 with SHA-256 (`ES256`) is supported at a minimum, including for
/// KB-JWTs and status information.
pub static HAIP_ES256: Requirement = Requirement {
    id: "HAIP-7-es256",
    spec: Spec::Haip,
    section: "7",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet, Role::Verifier],
    summary: "Issuers, wallets and verifiers support ES256 (ECDSA P-256, SHA-256)",
};

/// HAIP 1.0 §6.1: the key that validates a status list token comes from its `x5c` header,
/// which excludes the trust anchor (domain check #18).
pub static HAIP_STATUS_LIST_X5C: Requirement = Requirement {
    id: "HAIP-6.1-status-list-x5c",
    spec: Spec::Haip,
    section: "6.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "A status list token carries its signing key's certificate chain in x5c, without the trust anchor",
};

// ---------------------------------------------------------------------------------------------
// X.509: RFC 7515 x5c and RFC 5280 path validation, as profiled by Accord
// ---------------------------------------------------------------------------------------------

/// RFC 7515 §4.1.6: the certificate with the signing key comes first and each later one
/// certifies the one before; the chain is then validated per RFC 5280.
pub static X509_CHAIN_ORDER: Requirement = Requirement {
    id: "JOSE-RFC7515-4.1.6-x5c-chain-order",
    spec: Spec::Jose,
    section: "4.1.6",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "x5c lists the signing (leaf) certificate first, each following certificate being the issuer of the one before it",
};

/// RFC 5280 §6.1.3 (a)(1).
pub static X509_SIGNATURE: Requirement = Requirement {
    id: "X509-RFC5280-6.1.3-signature",
    spec: Spec::X509,
    section: "6.1.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "Each certificate's signature verifies under its issuer's public key",
};

/// RFC 5280 §6.1.3 (a)(2) (fields in §4.1.2.5), evaluated at the harness clock's time.
pub static X509_VALIDITY: Requirement = Requirement {
    id: "X509-RFC5280-6.1.3-validity",
    spec: Spec::X509,
    section: "6.1.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The validation time falls within every certificate's notBefore and notAfter",
};

/// RFC 5280 §6.1.4 (k) (intermediate certificates have basicConstraints with cA true) and (n)
/// (keyUsage, if present, asserts keyCertSign); §4.2.1.3 and §4.2.1.9 for the leaf side, which
/// Accord profiles as keyUsage digitalSignature and not a CA.
pub static X509_KEY_USAGE: Requirement = Requirement {
    id: "X509-RFC5280-6.1.4-key-usage",
    spec: Spec::X509,
    section: "6.1.4",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The leaf allows digitalSignature; every CA in the path has basicConstraints cA true and keyCertSign",
};

/// RFC 5280 §6.1 (trust anchor as input, §6.1.1 (d)). In Accord the anchors come only from a
/// trust list the verifier accepts, never from the presented chain (domain check #12).
pub static X509_PATH_TO_ANCHOR: Requirement = Requirement {
    id: "X509-RFC5280-6.1-path-to-anchor",
    spec: Spec::X509,
    section: "6.1",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The certification path ends at a trust anchor taken from an accepted trust list",
};

// ---------------------------------------------------------------------------------------------
// Trust lists: ETSI TS 119 612 / TS 119 602, as modelled by Accord
// ---------------------------------------------------------------------------------------------

/// TS 119 612 clause 5.7 (digital signature of the list), as Accord models it for both
/// trusted lists and lists of trusted entities.
pub static TL_SIGNATURE: Requirement = Requirement {
    id: "TL-5.7-signature",
    spec: Spec::TrustList,
    section: "5.7",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "A trust list is signed by its scheme operator and the signature verifies before any entry is used",
};

/// TS 119 612 clause 5.3.15 (next update; at most six months after the issue date of
/// clause 5.3.14).
pub static TL_FRESHNESS: Requirement = Requirement {
    id: "TL-5.3.15-freshness",
    spec: Spec::TrustList,
    section: "5.3.15",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "A trust list past its next-update time, or issued in the future, is not relied on",
};

/// TS 119 612 clauses 5.5.1 (service type identifier) and 5.5.4 (current status); for a
/// third-country list the values are those its operator defines (domain check #15).
pub static TL_ENTRY_SERVICE_TYPE: Requirement = Requirement {
    id: "TL-5.5.1-entry-service-type",
    spec: Spec::TrustList,
    section: "5.5.1",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The matching trust list entry has a service type fit for the use and a current status that is granted or recognised",
};

// ---------------------------------------------------------------------------------------------
// Accord EU diploma profile (domain (a)); a proposal, configurable
// ---------------------------------------------------------------------------------------------

/// Domain (a), EU diploma: the EUHED mandatory set plus the common envelope.
pub static PROFILE_EUDIPLOMA_REQUIRED_CLAIMS: Requirement = Requirement {
    id: "PROFILE-EUDIPLOMA-a-required-claims",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "An EU diploma (vct urn:eudi:diploma:1) has family_name, given_name, birthdate, qualification.title, qualification.eqf_level, awarding_body, awarding_date and the envelope iss, iat, cnf.jwk, status",
};

/// Domain (a): `qualification.eqf_level` as in ELM `eqfLevel` (domain check #27 flags a
/// code/label disagreement separately).
pub static PROFILE_EUDIPLOMA_EQF: Requirement = Requirement {
    id: "PROFILE-EUDIPLOMA-a-eqf",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "qualification.eqf_level is an integer from 1 to 8",
};

/// Domain (a): `qualification.isced_f` from ELM 3 `thematicArea`.
pub static PROFILE_EUDIPLOMA_ISCED_F: Requirement = Requirement {
    id: "PROFILE-EUDIPLOMA-a-isced-f",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "qualification.isced_f is a 3- or 4-digit ISCED-F 2013 code given as a string",
};

/// Domain (a): `qualification.credits` (ELM `creditPoint`, whose `point` is a string, becomes a
/// JSON number here).
pub static PROFILE_EUDIPLOMA_CREDITS: Requirement = Requirement {
    id: "PROFILE-EUDIPLOMA-a-credits",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "qualification.credits is an object with system ECTS and a numeric value",
};

/// Domain (a) and checks #26: dates are `full-date`, not ELM's date-time, so no day shifts
/// across time zones.
pub static PROFILE_EUDIPLOMA_DATES: Requirement = Requirement {
    id: "PROFILE-EUDIPLOMA-a-dates",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "birthdate and awarding_date are Gregorian full-dates (YYYY-MM-DD), never date-times",
};

/// Domain (a): UTF-8, NFC at issuance; verifiers still normalise before comparing (check #31).
pub static PROFILE_EUDIPLOMA_NAMES_NFC: Requirement = Requirement {
    id: "PROFILE-EUDIPLOMA-a-names-nfc",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "Name and title strings in an EU diploma are issued in Unicode NFC",
};

/// Domain (a) and check #21: HAIP 1.0 §6.1 leaves `exp` to the issuer and names diplomas as a
/// case for omitting it.
pub static PROFILE_EUDIPLOMA_NO_EXP_OK: Requirement = Requirement {
    id: "PROFILE-EUDIPLOMA-a-no-exp-ok",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "A diploma without exp is accepted; validity then rests on the status list",
};

// ---------------------------------------------------------------------------------------------
// Accord JP degree profile (domain (a)); no Japanese schema exists, all of this is a proposal
// ---------------------------------------------------------------------------------------------

/// Domain (a), Japanese degree certificate (学位記 / 学位授与証明).
pub static PROFILE_JPDEGREE_REQUIRED_CLAIMS: Requirement = Requirement {
    id: "PROFILE-JPDEGREE-a-required-claims",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "A JP degree (HTTPS vct of the JP scheme owner) has family/given names with kana forms, birthdate, degree.type, degree.name, degree.isced2011, credits, awarding_date, awarding_institution and the envelope claims; aka_vcts urn:eudi:diploma:1 only if the EU mandatory claims are met",
};

/// Domain (a): `degree.type` from 学位規則.
pub static PROFILE_JPDEGREE_TYPE: Requirement = Requirement {
    id: "PROFILE-JPDEGREE-a-type",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "degree.type is one of gakushi, shushi, hakushi, shushi_senmonshoku, homu_hakushi, kyoshoku_shushi, gakushi_senmonshoku, tanki_daigakushi",
};

/// Domain (a) and check #28: NIC-Japan ISCED 2011 codes (bachelor 665, six-year programmes 766,
/// associate 544, professional bachelor N/A).
pub static PROFILE_JPDEGREE_ISCED: Requirement = Requirement {
    id: "PROFILE-JPDEGREE-a-isced",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "degree.isced2011 is the NIC-Japan ISCED 2011 code string consistent with degree.type",
};

/// Domain (a) and check #29: 大学設置基準 Art. 21, one 単位 is 45 hours of study.
pub static PROFILE_JPDEGREE_CREDITS: Requirement = Requirement {
    id: "PROFILE-JPDEGREE-a-credits",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "credits is an object with system JP-tanni, an integer value and hours_per_unit 45; credits without a system are rejected",
};

/// Domain (b) credits row and check #29: 大学設置基準 Art. 32 requires at least 124 単位 for a
/// bachelor's degree.
pub static PROFILE_JPDEGREE_MIN_CREDITS: Requirement = Requirement {
    id: "PROFILE-JPDEGREE-a-min-credits",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Should,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "A bachelor's degree (gakushi) with fewer than 124 tanni is flagged for review",
};

/// Domain (a) and check #30: era conversion (和暦, decided by day) happens at the issuer.
pub static PROFILE_JPDEGREE_DATES: Requirement = Requirement {
    id: "PROFILE-JPDEGREE-a-dates",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "birthdate, awarding_date and graduation_date are Gregorian full-dates; Japanese era forms (e.g. Reiwa, U+32FF) are rejected",
};

/// Domain (a): `family_name_kana`, `given_name_kana`.
pub static PROFILE_JPDEGREE_KANA: Requirement = Requirement {
    id: "PROFILE-JPDEGREE-a-kana",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "The _kana name claims contain katakana only",
};

/// Domain (a): UTF-8, NFC at issuance, including kanji as held in the student register.
pub static PROFILE_JPDEGREE_NAMES_NFC: Requirement = Requirement {
    id: "PROFILE-JPDEGREE-a-names-nfc",
    spec: Spec::EuJpAcademic,
    section: "a",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Verifier],
    summary: "Kanji, kana and Latin name strings in a JP degree are issued in Unicode NFC",
};

// ---------------------------------------------------------------------------------------------
// Accord EU–JP mutual-recognition rules (domain (b) and (c)); a proposal, configurable
// ---------------------------------------------------------------------------------------------

/// Check #14: eIDAS Art. 14(1), a third-country service is qualified only under an
/// Art. 218 TFEU agreement, and none exists with Japan.
pub static MRA_EUJP_JP_NOT_QEAA: Requirement = Requirement {
    id: "MRA-EUJP-c-jp-not-qeaa",
    spec: Spec::EuJpAcademic,
    section: "c",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "A JP-issued credential presented as qualified (QEAA) in the EU is rejected",
};

/// Checks #12, #15 and #16: anchors come from the lists the arrangement names (EU TS 119 612
/// trusted lists, the JP issuer list in TS 119 602 form), and only for the attestation types it
/// names.
pub static MRA_EUJP_TRUSTED_LIST: Requirement = Requirement {
    id: "MRA-EUJP-c-trusted-list",
    spec: Spec::EuJpAcademic,
    section: "c",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "A verifier trusts only the lists the arrangement names, and an issuer only for the credential types the arrangement lists for it",
};

/// Trust services across the border (docs/profiles.md (c), trust services): a seal,
/// signature or time-stamp from the other side counts only as the arrangement's
/// `trust_services` rules say, and the recognition verdict names the rule it applied.
pub static MRA_EUJP_TRUST_SERVICE: Requirement = Requirement {
    id: "MRA-EUJP-c-trust-service",
    spec: Spec::EuJpAcademic,
    section: "c",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "A seal, signature or time-stamp of the other side counts only as the arrangement's trust-service rules say (EU qualified ↔ JP accredited, as recognised equivalents, never qualified)",
};

/// Domain (b) level row and check #28.
pub static MRA_EUJP_LEVEL: Requirement = Requirement {
    id: "MRA-EUJP-b-level",
    spec: Spec::EuJpAcademic,
    section: "b",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "Level maps only through the ISCED level digit; 766 and N/A go to review, and homu_hakushi (professional law doctorate) never maps to level 8",
};

/// Domain (b) credits row and check #29; an ECTS estimate may be shown as information only.
pub static MRA_EUJP_CREDITS_NOT_CONVERTED: Requirement = Requirement {
    id: "MRA-EUJP-b-credits-not-converted",
    spec: Spec::EuJpAcademic,
    section: "b",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "Credits keep their system and value and are never converted automatically between tanni and ECTS",
};

/// Domain (b) grades row.
pub static MRA_EUJP_GRADES_SCHEME: Requirement = Requirement {
    id: "MRA-EUJP-b-grades-scheme",
    spec: Spec::EuJpAcademic,
    section: "b",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "Grades travel with their scheme_uri and are never compared numerically across scales",
};

/// Domain (b) field row; check #27 flags a code/label disagreement.
pub static MRA_EUJP_FIELD: Requirement = Requirement {
    id: "MRA-EUJP-b-field",
    spec: Spec::EuJpAcademic,
    section: "b",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "The field of study is taken only from an explicit isced_f code with its mapping source, never guessed from free-text titles",
};

/// Domain (b) names row and check #31.
pub static MRA_EUJP_NAMES: Requirement = Requirement {
    id: "MRA-EUJP-b-names",
    spec: Spec::EuJpAcademic,
    section: "b",
    level: Level::Should,
    applies_to: &[Role::Verifier],
    summary: "Names are matched after NFC and across kanji, kana and Latin forms; a mismatch with the current PID goes to review, not rejection",
};

/// Check #32: Lisbon Recognition Convention, recognition unless a substantial difference is
/// shown, the burden being on the assessing body.
pub static MRA_EUJP_SUBSTANTIAL_DIFFERENCE: Requirement = Requirement {
    id: "MRA-EUJP-c-substantial-difference",
    spec: Spec::EuJpAcademic,
    section: "c",
    level: Level::Should,
    applies_to: &[Role::Verifier],
    summary: "A verifier exposes level, credits and grading for a substantial-difference assessment; a bare recognised verdict is flagged",
};

/// Domain (b) across formats: a credential's own security layer (seal, signature, proof) is
/// judged before anything it says is assessed.
pub static MRA_EUJP_AUTHENTIC_FIRST: Requirement = Requirement {
    id: "MRA-EUJP-b-authentic-first",
    spec: Spec::EuJpAcademic,
    section: "b",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "A credential in any format is assessed for recognition only when its own seal, signature or proof holds (and, for a seal, when the arrangement recognises its trust service); otherwise it is not recognised",
};

/// Domain (b) across formats: a signed PDF certificate says what it says on its page; only an
/// embedded claim set (Accord's proposal, docs/profiles.md) is read by a machine.
pub static MRA_EUJP_PDF_DEGREE_DATA: Requirement = Requirement {
    id: "MRA-EUJP-b-pdf-degree-data",
    spec: Spec::EuJpAcademic,
    section: "b",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "A PDF certificate is assessed from its embedded JP degree claim set only; without one it is not machine-readable and a person must read it, never guessed from the page text",
};

/// Domain (b) across formats: an ELM date-time read as the profile's full-date (pitfall 10:
/// a time zone conversion can shift the day).
pub static MRA_EUJP_ELM_DATES: Requirement = Requirement {
    id: "MRA-EUJP-b-elm-dates",
    spec: Spec::EuJpAcademic,
    section: "b",
    level: Level::Should,
    applies_to: &[Role::Verifier],
    summary: "An ELM date-time is read as the date of its own stated offset; a time other than midnight is reported, since another time zone may fall on another day",
};

/// Domain (b) micro-credentials: no degree counterpart; the Japanese counterpart is a
/// certificate programme (履修証明プログラム, School Education Act Art. 105, 60 hours or more
/// since 2019), Accord's proposal.
pub static MRA_EUJP_MICRO_COUNTERPART: Requirement = Requirement {
    id: "MRA-EUJP-b-micro-credential-counterpart",
    spec: Spec::EuJpAcademic,
    section: "b",
    level: Level::Should,
    applies_to: &[Role::Verifier],
    summary: "A micro-credential maps to no degree; in Japan its counterpart is a 履修証明プログラム only when its stated workload reaches 60 hours, otherwise an assessor decides",
};

// ---------------------------------------------------------------------------------------------
// The whole catalogue
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// OpenID4VCI 1.0, OpenID4VP 1.0, and the OAuth RFCs they build on
// ---------------------------------------------------------------------------------------------

/// OpenID4VCI 1.0 §4.1.1: the parameters of a credential offer.
pub static OID4VCI_OFFER: Requirement = Requirement {
    id: "OID4VCI-4.1.1-offer",
    spec: Spec::Oid4vci,
    section: "4.1.1",
    level: Level::Must,
    applies_to: &[Role::Issuer],
    summary: "A credential offer names the credential_issuer, a non-empty credential_configuration_ids array known to the issuer, and its grants",
};

/// OpenID4VCI 1.0 §4.1.3: an offer by reference (`credential_offer_uri`).
pub static OID4VCI_OFFER_URI: Requirement = Requirement {
    id: "OID4VCI-4.1.3-offer-uri",
    spec: Spec::Oid4vci,
    section: "4.1.3",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "An offer passed by reference is fetched with GET from credential_offer_uri and answered as application/json",
};

/// OpenID4VCI 1.0 §6.1 and §6.3: a transaction code missing or unexpected is `invalid_request`.
pub static OID4VCI_TX_CODE: Requirement = Requirement {
    id: "OID4VCI-6.1-tx-code",
    spec: Spec::Oid4vci,
    section: "6.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "tx_code is sent exactly when the offer carried a tx_code object; otherwise the token request fails with invalid_request",
};

/// OpenID4VCI 1.0 §6.1, which takes the Token Request of RFC 6749 §4.1.3 (parameters in the
/// application/x-www-form-urlencoded format, RFC 6749 §3.2; none repeated, §3.1).
pub static OID4VCI_TOKEN_REQUEST: Requirement = Requirement {
    id: "OID4VCI-6.1-token-request",
    spec: Spec::Oid4vci,
    section: "6.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "A token request is a POST of application/x-www-form-urlencoded parameters (RFC 6749 §4.1.3), none repeated; anything else is refused with invalid_request",
};

/// OpenID4VCI 1.0 §6.3 with RFC 6749 §5.2: errors of the token endpoint. A pre-authorized code is single use (§13.6.1, replay prevention).
pub static OID4VCI_INVALID_GRANT: Requirement = Requirement {
    id: "OID4VCI-6.3-invalid-grant",
    spec: Spec::Oid4vci,
    section: "6.3",
    level: Level::Must,
    applies_to: &[Role::Issuer],
    summary: "A wrong, expired or reused pre-authorized code, a wrong tx_code, or a bad authorization code or PKCE verifier is refused with invalid_grant",
};

/// OpenID4VCI 1.0 §6.2 with RFC 6749 §5.1 and RFC 9396 §2 and §7: the Token Response.
pub static OID4VCI_TOKEN_RESPONSE: Requirement = Requirement {
    id: "OID4VCI-6.2-token-response",
    spec: Spec::Oid4vci,
    section: "6.2",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "A token response carries access_token and token_type (RFC 6749 §5.1); its authorization_details, when present, are objects of type openid_credential with a credential_configuration_id and non-empty credential_identifiers (RFC 9396 §2, §7)",
};

/// OpenID4VCI 1.0 §7.2: the nonce response is uncacheable.
pub static OID4VCI_NONCE_NO_STORE: Requirement = Requirement {
    id: "OID4VCI-7.2-no-store",
    spec: Spec::Oid4vci,
    section: "7.2",
    level: Level::Must,
    applies_to: &[Role::Issuer],
    summary: "The nonce response carries Cache-Control: no-store and a c_nonce string",
};

/// OpenID4VCI 1.0 §8.3.1.1 with RFC 6750 §3: authorization errors at the credential endpoint.
pub static OID4VCI_ACCESS_TOKEN: Requirement = Requirement {
    id: "OID4VCI-8.3.1.1-access-token",
    spec: Spec::Oid4vci,
    section: "8.3.1.1",
    level: Level::Must,
    applies_to: &[Role::Issuer],
    summary: "A credential request without a valid access token is refused as RFC 6750 prescribes (401, invalid_token)",
};

/// OpenID4VCI 1.0 §8.2: the credential request; failures use the error codes of §8.3.1.2.
pub static OID4VCI_CREDENTIAL_REQUEST: Requirement = Requirement {
    id: "OID4VCI-8.2-credential-request",
    spec: Spec::Oid4vci,
    section: "8.2",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "A credential request names exactly one of credential_configuration_id or credential_identifier, a known one, and carries proofs when the configuration lists proof types",
};

/// OpenID4VCI 1.0 §8.3.1.2.
pub static OID4VCI_ERROR_CODES: Requirement = Requirement {
    id: "OID4VCI-8.3.1.2-error-codes",
    spec: Spec::Oid4vci,
    section: "8.3.1.2",
    level: Level::Must,
    applies_to: &[Role::Issuer],
    summary: "Credential request errors use the specific error codes of §8.3.1.2 with HTTP 400, not the generic invalid_request",
};

/// OpenID4VCI 1.0 §8.3.
pub static OID4VCI_CREDENTIAL_RESPONSE: Requirement = Requirement {
    id: "OID4VCI-8.3-credential-response",
    spec: Spec::Oid4vci,
    section: "8.3",
    level: Level::Must,
    applies_to: &[Role::Issuer],
    summary: "An immediate credential response is HTTP 200, application/json, with a credentials array of objects each holding a credential",
};

/// OpenID4VCI 1.0 Appendix F.1: the `jwt` proof type header.
pub static OID4VCI_PROOF_TYP: Requirement = Requirement {
    id: "OID4VCI-F.1-proof-typ",
    spec: Spec::Oid4vci,
    section: "F.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "A jwt key proof has typ openid4vci-proof+jwt",
};

/// OpenID4VCI 1.0 Appendix F.1.
pub static OID4VCI_PROOF_ALG: Requirement = Requirement {
    id: "OID4VCI-F.1-proof-alg",
    spec: Spec::Oid4vci,
    section: "F.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "A key proof's alg is an asymmetric signature algorithm listed in proof_signing_alg_values_supported, never none or a MAC",
};

/// OpenID4VCI 1.0 Appendix F.1: the issuer validates the proof's signature with the key its header identifies.
pub static OID4VCI_PROOF_KEY: Requirement = Requirement {
    id: "OID4VCI-F.1-proof-key",
    spec: Spec::Oid4vci,
    section: "F.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "A key proof names its key by exactly one of kid, jwk or x5c, and is signed by that key",
};

/// OpenID4VCI 1.0 Appendix F.1.
pub static OID4VCI_PROOF_AUD: Requirement = Requirement {
    id: "OID4VCI-F.1-proof-aud",
    spec: Spec::Oid4vci,
    section: "F.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "A key proof's aud is the Credential Issuer Identifier",
};

/// OpenID4VCI 1.0 Appendix F.1 (iat REQUIRED), F.4 and §13.8 (proof replay): the issuer
/// bounds the proof's age, by its `iat` or by a server-provided nonce (F.4: "the creation
/// time of the JWT, as determined by either the issuance time, or a server managed
/// timestamp via the nonce claim, is within an acceptable window").
pub static OID4VCI_PROOF_IAT: Requirement = Requirement {
    id: "OID4VCI-F.1-proof-iat",
    spec: Spec::Oid4vci,
    section: "F.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "A key proof carries iat, and its creation time (iat, or the issuer's own nonce) is within an acceptable window: an issuer without a Nonce Endpoint refuses one issued too long ago or in the future",
};

/// OpenID4VCI 1.0 Appendix F.1 and §8.3.1.2.
pub static OID4VCI_PROOF_NONCE: Requirement = Requirement {
    id: "OID4VCI-F.1-proof-nonce",
    spec: Spec::Oid4vci,
    section: "F.1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "A key proof carries a fresh, unused c_nonce from the issuer's nonce endpoint; a missing one is invalid_proof, a wrong or reused one invalid_nonce",
};

/// OpenID4VCI 1.0 §12.2.2 and §12.2.4.
pub static OID4VCI_METADATA: Requirement = Requirement {
    id: "OID4VCI-12.2.2-metadata",
    spec: Spec::Oid4vci,
    section: "12.2.2",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "Credential issuer metadata is served at /.well-known/openid-credential-issuer and its credential_issuer equals the issuer identifier it was fetched for",
};

/// RFC 7636 §4.6; OpenID4VCI §5.1 and HAIP 1.0 require PKCE with S256 in the authorization code flow.
pub static OAUTH_PKCE: Requirement = Requirement {
    id: "OAUTH-RFC7636-4.6-pkce",
    spec: Spec::OAuth,
    section: "4.6",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet],
    summary: "The authorization server checks code_verifier against the S256 code_challenge bound to the authorization code",
};

/// OpenID4VP 1.0 §5 (with RFC 9101).
pub static JAR_TYP: Requirement = Requirement {
    id: "OID4VP-5-request-object-typ",
    spec: Spec::Oid4vp,
    section: "5",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "A request object has typ oauth-authz-req+jwt; wallets do not process one without it",
};

/// RFC 9101 §5 (JAR): the outer `client_id` must match the request object's; OpenID4VP 1.0 §5.9 (always use the full client identifier).
pub static JAR_CLIENT_ID: Requirement = Requirement {
    id: "OAUTH-RFC9101-5-client-id",
    spec: Spec::OAuth,
    section: "5",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The client_id inside a request object equals the client_id of the authorization request that referred to it",
};

/// RFC 9101 §6.3 with RFC 7519 §4.1.4: an expired request object is refused with invalid_request_object.
pub static JAR_EXP: Requirement = Requirement {
    id: "OAUTH-RFC9101-6.3-request-object-exp",
    spec: Spec::OAuth,
    section: "6.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "A request object is signed, valid and not expired when the wallet processes it",
};

/// OpenID4VP 1.0 §5.9.3; an unsupported prefix or a broken prefix rule is invalid_request (§8.5).
pub static OID4VP_CLIENT_ID_PREFIX: Requirement = Requirement {
    id: "OID4VP-5.9.3-client-id-prefix",
    spec: Spec::Oid4vp,
    section: "5.9.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The client identifier belongs to its prefix: x509_san_dns names a dNSName SAN of the signing leaf, x509_hash is the SHA-256 of the leaf, redirect_uri requests are unsigned and answer to that URI",
};

/// OpenID4VP 1.0 §5.9.3.
pub static OID4VP_REQUEST_TRUST: Requirement = Requirement {
    id: "OID4VP-5.9.3-x509-trust",
    spec: Spec::Oid4vp,
    section: "5.9.3",
    level: Level::Must,
    applies_to: &[Role::Wallet],
    summary: "For x509_san_dns and x509_hash the wallet validates the request signature and the leaf certificate's chain to a trusted anchor",
};

/// OpenID4VP 1.0 §5.1 and §8.5 (invalid_request).
pub static OID4VP_QUERY_PRESENT: Requirement = Requirement {
    id: "OID4VP-5.1-dcql-query",
    spec: Spec::Oid4vp,
    section: "5.1",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "An authorization request carries exactly one of dcql_query and scope",
};

/// OpenID4VP 1.0 §6 and §7.
pub static OID4VP_DCQL_VALID: Requirement = Requirement {
    id: "OID4VP-6-dcql-valid",
    spec: Spec::Oid4vp,
    section: "6",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "A DCQL query is well formed: unique valid ids, non-empty arrays, claim sets only with claim ids, credential sets naming existing queries",
};

/// OpenID4VP 1.0 §6.3 (`values`) and §6.4.1: the Wallet SHOULD return a claim queried with
/// `values` only if its type and value match one of them. A SHOULD NOT for the wallet; the
/// verifier reports a mismatch at that level and does not reject for it.
pub static OID4VP_DCQL_VALUES: Requirement = Requirement {
    id: "OID4VP-6.4.1-values",
    spec: Spec::Oid4vp,
    section: "6.4.1",
    level: Level::Should,
    applies_to: &[Role::Wallet],
    summary: "A claim queried with values is returned only if its type and value match one of them",
};

/// OpenID4VP 1.0 §6.4 and §8.6 step 2.2 and 3.
pub static OID4VP_DCQL_SATISFIED: Requirement = Requirement {
    id: "OID4VP-6.4-dcql-satisfied",
    spec: Spec::Oid4vp,
    section: "6.4",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The presentations satisfy the DCQL query: each required credential query (and credential set) answered, with the requested claims, values and vct",
};

/// OpenID4VP 1.0 §5.2 (nonce REQUIRED, fresh per request) and §14.2 (replay).
pub static OID4VP_NONCE: Requirement = Requirement {
    id: "OID4VP-5.2-nonce",
    spec: Spec::Oid4vp,
    section: "5.2",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "Every authorization request carries a fresh nonce, and presentations are bound to it",
};

/// OpenID4VP 1.0 §5.2 (state syntax), §8.2 and §13.3.
pub static OID4VP_STATE: Requirement = Requirement {
    id: "OID4VP-8.2-state",
    spec: Spec::Oid4vp,
    section: "8.2",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The response to the response URI is matched to its request by state (URL-safe ASCII), and a response for an unknown or finished transaction is refused",
};

/// OpenID4VP 1.0 §5.10 and §5.10.1.
pub static OID4VP_REQUEST_URI_POST: Requirement = Requirement {
    id: "OID4VP-5.10-request-uri-post",
    spec: Spec::Oid4vp,
    section: "5.10",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "With request_uri_method post, the request object is fetched by a form-encoded POST accepting application/oauth-authz-req+jwt; the verifier signs the wallet_nonce it received into the request object and the wallet refuses one without it",
};

/// OpenID4VP 1.0 §8.2.
pub static OID4VP_DIRECT_POST: Requirement = Requirement {
    id: "OID4VP-8.2-direct-post",
    spec: Spec::Oid4vp,
    section: "8.2",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "With direct_post the response is form-encoded UTF-8 sent by POST to response_uri, and the verifier answers 200 application/json",
};

/// OpenID4VP 1.0 §8.3.
pub static OID4VP_ENCRYPTED_RESPONSE: Requirement = Requirement {
    id: "OID4VP-8.3-encrypted-response",
    spec: Spec::Oid4vp,
    section: "8.3",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "An encrypted response is a JWE whose alg equals the chosen JWK's alg, whose kid names that key, and whose enc is one the verifier advertised (A128GCM by default)",
};

/// OpenID4VP 1.0 §8.3.1.
pub static OID4VP_DIRECT_POST_JWT: Requirement = Requirement {
    id: "OID4VP-8.3.1-direct-post-jwt",
    spec: Spec::Oid4vp,
    section: "8.3.1",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "With direct_post.jwt the wallet posts one response parameter holding the encrypted JWT; an unencrypted vp_token is not accepted for such a request",
};

/// OpenID4VP 1.0 §8.1.
pub static OID4VP_VP_TOKEN: Requirement = Requirement {
    id: "OID4VP-8.1-vp-token",
    spec: Spec::Oid4vp,
    section: "8.1",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "vp_token is a JSON object keyed by credential query id, each value a non-empty array of presentations, one unless multiple is true",
};

/// OpenID4VP 1.0 Appendix B.1 (with holder binding required, the Wallet returns a Verifiable
/// Presentation) and §8.1 (a `jwt_vc_json` presentation is a string): a VP JWT.
pub static OID4VP_W3C_VP: Requirement = Requirement {
    id: "OID4VP-B.1-verifiable-presentation",
    spec: Spec::Oid4vp,
    section: "B.1",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "A jwt_vc_json presentation is a VP JWT (VCDM 1.1 clause 6.3.1) whose vp holds the presented VC-JWT",
};

/// OpenID4VP 1.0 Appendix B.1.3.1.5 (`nonce` is the request's, `aud` the Client Identifier)
/// and §8.6 / §14.1.2 (the Verifier validates the Holder Binding and rejects a wrong nonce).
pub static OID4VP_W3C_HOLDER_BINDING: Requirement = Requirement {
    id: "OID4VP-B.1.3.1.5-holder-binding",
    spec: Spec::Oid4vp,
    section: "B.1.3.1.5",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "The VP JWT carries the request's nonce in `nonce` and the Client Identifier in `aud`, and is signed by the holder (the credential subject's key)",
};

/// OpenID4VP 1.0 §8.6.
pub static OID4VP_VALIDATION: Requirement = Requirement {
    id: "OID4VP-8.6-vp-validation",
    spec: Spec::Oid4vp,
    section: "8.6",
    level: Level::Must,
    applies_to: &[Role::Verifier],
    summary: "The verifier validates each presentation (integrity, holder binding, policy such as revocation) and rejects the VP token when a check fails",
};

/// OpenID4VP 1.0 Appendix B.3.6.
pub static OID4VP_KB_CLIENT_ID: Requirement = Requirement {
    id: "OID4VP-B.3.6-kb-aud-nonce",
    spec: Spec::Oid4vp,
    section: "B.3.6",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "An SD-JWT VC presentation's KB-JWT has aud equal to the full client identifier (with its prefix) and nonce equal to the request's nonce",
};

/// OpenID4VP 1.0 §5 and §5.1.
pub static OID4VP_TRANSACTION_DATA: Requirement = Requirement {
    id: "OID4VP-5.1-transaction-data",
    spec: Spec::Oid4vp,
    section: "5.1",
    level: Level::Must,
    applies_to: &[Role::Wallet, Role::Verifier],
    summary: "A wallet that does not support transaction_data refuses a request carrying it",
};

/// Every requirement, in catalogue order.
/// Robustness (Accord's own expectation; no protocol spec sets time limits): a party that
/// cannot reach its counterpart, or is answered with an error, ends the exchange within a
/// bounded time, reports what failed, and keeps nothing half-done.
pub static ROBUST_FAIL_CLEANLY: Requirement = Requirement {
    id: "ROBUST-1-fail-cleanly",
    spec: Spec::Robustness,
    section: "1",
    level: Level::Should,
    applies_to: &[Role::Issuer, Role::Wallet, Role::Verifier],
    summary: "A failed exchange (counterpart unreachable, silent or answering an error) ends within a bounded time, is reported with the step that failed, and leaves no partial credential",
};

/// Regression (Accord's gate, `accord replay --against`): replayed the counterparts'
/// recorded requests, an implementation gives the recorded answers, up to what the
/// normalised transcript redacts (ports, times, signatures, random values).
pub static REGRESS_SAME_ANSWER: Requirement = Requirement {
    id: "REGRESS-1-same-answer",
    spec: Spec::Regression,
    section: "1",
    level: Level::Must,
    applies_to: &[Role::Issuer, Role::Wallet, Role::Verifier],
    summary: "Given the recorded requests of its counterparts, an implementation answers as it did in the recording (normalised transcript)",
};

/// Every requirement: the core entries below, then the trust-services catalogues
/// (`trust_lists`, `timestamps`, `ades`), each kept in its own file.
pub static ALL: std::sync::LazyLock<Vec<&'static Requirement>> = std::sync::LazyLock::new(|| {
    CORE.iter()
        .chain(super::trust_lists::ENTRIES)
        .chain(super::timestamps::ENTRIES)
        .chain(super::ades::ENTRIES)
        .chain(super::pades::ENTRIES)
        .chain(super::vc_jwt::ENTRIES)
        .chain(super::edc::ENTRIES)
        .chain(super::bitstring_status::ENTRIES)
        .chain(super::data_integrity::ENTRIES)
        .chain(super::micro_credentials::ENTRIES)
        .copied()
        .collect()
});

static CORE: &[&Requirement] = &[
    &ROBUST_FAIL_CLEANLY,
    &REGRESS_SAME_ANSWER,
    // SD-JWT
    &SDJWT_FORMAT,
    &SDJWT_ALG_NONE_REJECTED,
    &SDJWT_ISSUER_SIGNATURE,
    &SDJWT_SD_ALG,
    &SDJWT_DISCLOSURE_FORMAT,
    &SDJWT_DIGEST_OVER_RECEIVED,
    &SDJWT_SD_ARRAY,
    &SDJWT_DUPLICATE_DIGEST,
    &SDJWT_UNREFERENCED_DISCLOSURE,
    &SDJWT_DUPLICATE_DISCLOSURE,
    &SDJWT_CLAIM_NAME_RESERVED,
    &SDJWT_CLAIM_NAME_COLLISION,
    &SDJWT_ARRAY_ELEMENT_FORM,
    &SDJWT_KB_REQUIRED,
    &SDJWT_KB_TYP,
    &SDJWT_KB_SIGNATURE,
    &SDJWT_KB_SD_HASH,
    &SDJWT_KB_NONCE,
    &SDJWT_KB_AUD,
    &SDJWT_KB_IAT,
    &SDJWT_TIME_VALIDITY,
    &SDJWT_JSON_SERIALIZATION,
    &SDJWT_DECOYS,
    // JOSE
    &JOSE_ALG_ALLOWED,
    // SD-JWT VC
    &SDJWTVC_TYP,
    &SDJWTVC_TYP_LEGACY,
    &SDJWTVC_VCT,
    &SDJWTVC_REGISTERED_NOT_DISCLOSABLE,
    &SDJWTVC_ISS,
    &SDJWTVC_CNF,
    &SDJWTVC_STATUS,
    &SDJWTVC_X5C_ISS_SAN,
    &SDJWTVC_IAT,
    &SDJWTVC_VCT_INTEGRITY,
    // Token Status List
    &TSL_TYP,
    &TSL_BITS,
    &TSL_ENCODING,
    &TSL_SUB_URI,
    &TSL_SIGNATURE,
    &TSL_INDEX_RANGE,
    &TSL_FETCH_FAIL_CLOSED,
    &TSL_REFERENCED_TOKEN,
    &TSL_STATUS_VALUES,
    &TSL_EXP_TTL,
    &TSL_PROCESSING_ORDER,
    // HAIP
    &HAIP_X5C_NO_ROOT,
    &HAIP_X5C_REQUIRED,
    &HAIP_ES256,
    &HAIP_STATUS_LIST_X5C,
    // X.509
    &X509_CHAIN_ORDER,
    &X509_SIGNATURE,
    &X509_VALIDITY,
    &X509_KEY_USAGE,
    &X509_PATH_TO_ANCHOR,
    // Trust lists
    &TL_SIGNATURE,
    &TL_FRESHNESS,
    &TL_ENTRY_SERVICE_TYPE,
    // EU diploma profile
    &PROFILE_EUDIPLOMA_REQUIRED_CLAIMS,
    &PROFILE_EUDIPLOMA_EQF,
    &PROFILE_EUDIPLOMA_ISCED_F,
    &PROFILE_EUDIPLOMA_CREDITS,
    &PROFILE_EUDIPLOMA_DATES,
    &PROFILE_EUDIPLOMA_NAMES_NFC,
    &PROFILE_EUDIPLOMA_NO_EXP_OK,
    // JP degree profile
    &PROFILE_JPDEGREE_REQUIRED_CLAIMS,
    &PROFILE_JPDEGREE_TYPE,
    &PROFILE_JPDEGREE_ISCED,
    &PROFILE_JPDEGREE_CREDITS,
    &PROFILE_JPDEGREE_MIN_CREDITS,
    &PROFILE_JPDEGREE_DATES,
    &PROFILE_JPDEGREE_KANA,
    &PROFILE_JPDEGREE_NAMES_NFC,
    // EU–JP recognition
    &MRA_EUJP_JP_NOT_QEAA,
    &MRA_EUJP_TRUSTED_LIST,
    &MRA_EUJP_TRUST_SERVICE,
    &MRA_EUJP_LEVEL,
    &MRA_EUJP_CREDITS_NOT_CONVERTED,
    &MRA_EUJP_GRADES_SCHEME,
    &MRA_EUJP_FIELD,
    &MRA_EUJP_NAMES,
    &MRA_EUJP_SUBSTANTIAL_DIFFERENCE,
    &MRA_EUJP_AUTHENTIC_FIRST,
    &MRA_EUJP_PDF_DEGREE_DATA,
    &MRA_EUJP_ELM_DATES,
    &MRA_EUJP_MICRO_COUNTERPART,
    // OpenID4VCI, OpenID4VP, OAuth
    &OID4VCI_OFFER,
    &OID4VCI_OFFER_URI,
    &OID4VCI_TX_CODE,
    &OID4VCI_TOKEN_REQUEST,
    &OID4VCI_INVALID_GRANT,
    &OID4VCI_TOKEN_RESPONSE,
    &OID4VCI_NONCE_NO_STORE,
    &OID4VCI_ACCESS_TOKEN,
    &OID4VCI_CREDENTIAL_REQUEST,
    &OID4VCI_ERROR_CODES,
    &OID4VCI_CREDENTIAL_RESPONSE,
    &OID4VCI_PROOF_TYP,
    &OID4VCI_PROOF_ALG,
    &OID4VCI_PROOF_KEY,
    &OID4VCI_PROOF_AUD,
    &OID4VCI_PROOF_IAT,
    &OID4VCI_PROOF_NONCE,
    &OID4VCI_METADATA,
    &OAUTH_PKCE,
    &JAR_TYP,
    &JAR_CLIENT_ID,
    &JAR_EXP,
    &OID4VP_CLIENT_ID_PREFIX,
    &OID4VP_REQUEST_TRUST,
    &OID4VP_QUERY_PRESENT,
    &OID4VP_DCQL_VALID,
    &OID4VP_DCQL_SATISFIED,
    &OID4VP_DCQL_VALUES,
    &OID4VP_REQUEST_URI_POST,
    &OID4VP_NONCE,
    &OID4VP_STATE,
    &OID4VP_DIRECT_POST,
    &OID4VP_ENCRYPTED_RESPONSE,
    &OID4VP_DIRECT_POST_JWT,
    &OID4VP_VP_TOKEN,
    &OID4VP_W3C_VP,
    &OID4VP_W3C_HOLDER_BINDING,
    &OID4VP_VALIDATION,
    &OID4VP_KB_CLIENT_ID,
    &OID4VP_TRANSACTION_DATA,
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The id prefixes allowed for each spec (see the module docs).
    fn prefixes(spec: Spec) -> &'static [&'static str] {
        match spec {
            Spec::SdJwt => &["SDJWT-RFC9901-"],
            Spec::SdJwtVc => &["SDJWTVC-"],
            Spec::TokenStatusList => &["TSL-"],
            Spec::Haip => &["HAIP-"],
            Spec::Jose => &["JOSE-RFC7515-", "JOSE-RFC7519-", "JOSE-RFC8725-"],
            Spec::X509 => &["X509-RFC5280-"],
            Spec::TrustList => &["TL-TS119612-", "TL-"],
            Spec::EuJpAcademic => &["PROFILE-EUDIPLOMA-", "PROFILE-JPDEGREE-", "MRA-EUJP-"],
            Spec::Oid4vci => &["OID4VCI-"],
            Spec::Oid4vp => &["OID4VP-"],
            Spec::OAuth => &["OAUTH-RFC7636-", "OAUTH-RFC9101-"],
            Spec::Robustness => &["ROBUST-"],
            Spec::Regression => &["REGRESS-"],
            Spec::TimeStamp => &["TSP-RFC3161-", "TSP-EN319422-"],
            Spec::VcJwt => &["VCDM-", "OB3-"],
            Spec::Edc => &["EDC-"],
            Spec::BitstringStatusList => &["BSL-"],
            Spec::MicroCredentials => &["MC-EU-"],
            Spec::DataIntegrity => &["DI-EDDSA-", "DI-", "OB3-"],
            Spec::Ades => &[
                "ADES-EN319102-",
                "JADES-TS119182-",
                "PADES-EN319142-",
                "XADES-EN319132-",
            ],
        }
    }

    #[test]
    fn ids_are_unique() {
        let mut seen = HashSet::new();
        for r in ALL.iter() {
            assert!(seen.insert(r.id), "duplicate requirement id {}", r.id);
        }
    }

    #[test]
    fn entries_are_listed_once() {
        let mut seen = HashSet::new();
        for r in ALL.iter() {
            let addr: *const Requirement = *r;
            assert!(seen.insert(addr as usize), "{} listed twice in ALL", r.id);
        }
    }

    #[test]
    fn ids_follow_the_scheme() {
        for r in ALL.iter() {
            let prefix = prefixes(r.spec).iter().find(|p| r.id.starts_with(**p));
            let Some(prefix) = prefix else {
                panic!("{} does not start with a prefix of {:?}", r.id, r.spec);
            };
            let rest = &r.id[prefix.len()..];
            let expected = format!("{}-", r.section);
            assert!(
                rest.starts_with(&expected),
                "{}: section {} must follow the prefix",
                r.id,
                r.section
            );
            let suffix = &rest[expected.len()..];
            assert!(
                !suffix.is_empty()
                    && suffix
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}: suffix must be short kebab-case",
                r.id
            );
        }
    }

    #[test]
    fn every_requirement_binds_a_role_once() {
        for r in ALL.iter() {
            assert!(!r.applies_to.is_empty(), "{} binds no role", r.id);
            assert!(
                r.applies_to.windows(2).all(|w| w[0] < w[1]),
                "{}: roles listed twice or out of order",
                r.id
            );
        }
    }

    #[test]
    fn every_spec_is_listed_for_reports() {
        for r in ALL.iter() {
            assert!(super::super::Spec::ALL.contains(&r.spec), "{:?}", r.spec);
        }
    }

    #[test]
    fn summaries_are_one_line() {
        for r in ALL.iter() {
            assert!(!r.summary.is_empty(), "{} has no summary", r.id);
            assert!(!r.summary.contains('\n'), "{} summary spans lines", r.id);
        }
    }

    #[test]
    fn own_rules_cite_domain_sections() {
        for r in ALL.iter().filter(|r| r.spec == Spec::EuJpAcademic) {
            assert!(
                matches!(r.section, "a" | "b" | "c"),
                "{} cites section {}",
                r.id,
                r.section
            );
        }
    }
}
