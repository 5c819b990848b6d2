//! Properties over generated claim sets (proptest): issue → present → verify reveals exactly
//! the chosen claims; any single-byte change is rejected; arbitrary bytes never panic.

use std::collections::BTreeSet;

use accord::entropy::SeededEntropy;
use accord::formats::jose::{Algorithm, SigningKey};
use accord::formats::sd_jwt::issue::{Decoys, IssueRequest, issue};
use accord::formats::sd_jwt::json::parse_any;
use accord::formats::sd_jwt::present::{KeyBinding, present};
use accord::formats::sd_jwt::verify::{FixedIssuerKey, KbExpectation, VerifyOptions, verify};
use accord::formats::sd_jwt::{ClaimPath, Disclosure, HashAlg, SdJwt};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const NOW: i64 = 1_800_000_000;

fn keys() -> (SigningKey, SigningKey) {
    (
        SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(1, "issuer")).expect("key"),
        SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(1, "holder")).expect("key"),
    )
}

/// Leaf values, including non-ASCII text that must survive the disclosure round trip.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        "[a-zA-Z0-9 ]{0,12}".prop_map(Value::from),
        "[髙高橋太郎ÖüñçМос]{1,6}".prop_map(Value::from),
    ]
}

/// Claim sets two levels deep: objects of leaves, arrays of leaves, objects of objects.
fn claims() -> impl Strategy<Value = Map<String, Value>> {
    let inner = prop_oneof![
        leaf(),
        prop::collection::vec(leaf(), 1..4).prop_map(Value::Array),
        prop::collection::btree_map("[a-z]{1,6}", leaf(), 1..4)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
    ];
    prop::collection::btree_map("[a-z]{1,8}", inner, 1..6).prop_map(|m| {
        m.into_iter()
            .filter(|(k, _)| k != "cnf")
            .collect::<Map<String, Value>>()
    })
}

/// Every claim path in a claim set (object properties and array elements, any depth).
fn all_paths(v: &Value, at: &ClaimPath, out: &mut Vec<ClaimPath>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                let p = at.key(k);
                out.push(p.clone());
                all_paths(c, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                let p = at.index(i);
                out.push(p.clone());
                all_paths(c, &p, out);
            }
        }
        _ => {}
    }
}

/// What a verifier must see: the claims with every undisclosed disclosable claim removed.
fn expected_view(
    v: &Value,
    at: &ClaimPath,
    sd: &BTreeSet<ClaimPath>,
    revealed: &BTreeSet<ClaimPath>,
) -> Value {
    let shown = |p: &ClaimPath| {
        !sd.contains(p)
            || revealed
                .iter()
                .any(|r| p.is_prefix_of(r) || r.is_prefix_of(p))
    };
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| shown(&at.key(k)))
                .map(|(k, c)| (k.clone(), expected_view(c, &at.key(k), sd, revealed)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .filter(|(i, _)| shown(&at.index(*i)))
                .map(|(i, c)| expected_view(c, &at.index(i), sd, revealed))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The claim set, the disclosable paths and the revealed paths, chosen from it.
fn scenario() -> impl Strategy<Value = (Map<String, Value>, Vec<ClaimPath>, Vec<ClaimPath>, u64)> {
    claims().prop_flat_map(|c| {
        let mut paths = Vec::new();
        all_paths(&Value::Object(c.clone()), &ClaimPath::root(), &mut paths);
        let n = paths.len();
        (
            Just(c),
            Just(paths),
            prop::collection::vec(any::<bool>(), n),
            prop::collection::vec(any::<bool>(), n),
            any::<u64>(),
        )
            .prop_map(|(c, paths, sd_mask, reveal_mask, seed)| {
                let sd = paths
                    .iter()
                    .zip(&sd_mask)
                    .filter(|(_, m)| **m)
                    .map(|(p, _)| p.clone())
                    .collect();
                let reveal = paths
                    .iter()
                    .zip(&reveal_mask)
                    .filter(|(_, m)| **m)
                    .map(|(p, _)| p.clone())
                    .collect();
                (c, sd, reveal, seed)
            })
    })
}

fn issue_and_present(
    claims: &Map<String, Value>,
    sd: &[ClaimPath],
    reveal: &[ClaimPath],
    seed: u64,
) -> SdJwt {
    let (issuer, holder) = keys();
    let request = IssueRequest {
        claims: claims.clone(),
        disclosable: sd.to_vec(),
        header: Map::new(),
        hash: HashAlg::Sha256,
        decoys: Decoys::UpTo(2),
        holder_key: Some(holder.public_jwk()),
    };
    let issued = issue(&request, &issuer, &mut SeededEntropy::new(seed, "salts")).expect("issues");
    let kb = KeyBinding {
        holder_key: &holder,
        aud: "https://verifier.example".into(),
        nonce: "n-1".into(),
        iat: NOW,
    };
    present(&issued, reveal, Some(kb)).expect("presents")
}

fn options() -> VerifyOptions {
    let mut o = VerifyOptions::at(NOW);
    o.key_binding = Some(KbExpectation {
        aud: "https://verifier.example".into(),
        nonce: "n-1".into(),
    });
    o
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn verify_returns_exactly_the_disclosed_claims((claims, sd, reveal, seed) in scenario()) {
        let presentation = issue_and_present(&claims, &sd, &reveal, seed);
        let (issuer, holder) = keys();
        let result = verify(&presentation, &mut FixedIssuerKey(issuer.verifying_key()), &options());
        prop_assert!(result.violations.is_empty(), "{:?}", result.violations);
        let sd: BTreeSet<ClaimPath> = sd.into_iter().collect();
        let revealed: BTreeSet<ClaimPath> = reveal.into_iter().collect();
        let Value::Object(mut expected) = expected_view(&Value::Object(claims), &ClaimPath::root(), &sd, &revealed) else {
            unreachable!()
        };
        expected.insert("cnf".into(), json!({"jwk": holder.public_jwk()}));
        let mut got = result.claims.clone();
        // Compare as sorted maps: disclosure order is not claim order.
        got.sort_keys();
        expected.sort_keys();
        prop_assert_eq!(Value::Object(got), Value::Object(expected));
    }

    #[test]
    fn any_single_byte_change_is_rejected(
        (claims, sd, reveal, seed) in scenario(),
        part in 0usize..3,
        position in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let presentation = issue_and_present(&claims, &sd, &reveal, seed);
        let (issuer, _) = keys();
        let mut tampered = presentation.clone();
        let target: &mut String = match part {
            0 => &mut tampered.issuer_jwt,
            1 if !tampered.disclosures.is_empty() => {
                let i = position.index(tampered.disclosures.len());
                &mut tampered.disclosures[i]
            }
            _ => tampered.kb_jwt.as_mut().expect("kb"),
        };
        let mut bytes = std::mem::take(target).into_bytes();
        let i = position.index(bytes.len());
        bytes[i] ^= flip;
        *target = String::from_utf8_lossy(&bytes).into_owned();
        // Re-serialise so a byte that became `~` or `.` changes the structure, as on the wire.
        let result = match parse_any(&tampered.to_compact()) {
            Ok((sd, _)) => verify(&sd, &mut FixedIssuerKey(issuer.verifying_key()), &options()),
            Err(_) => return Ok(()),
        };
        prop_assert!(!result.is_valid(), "a tampered presentation verified: {}", tampered.to_compact());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        let (issuer, _) = keys();
        let _ = Disclosure::parse(&text);
        let _ = accord::formats::jose::CompactJws::parse(&text);
        let _ = accord::formats::status_list::StatusList::decode_lst(1, &text);
        if let Ok((sd, _)) = parse_any(&text) {
            let _ = verify(&sd, &mut FixedIssuerKey(issuer.verifying_key()), &options());
        }
    }

    #[test]
    fn structured_garbage_never_panics(
        parts in prop::collection::vec("[A-Za-z0-9_-]{0,40}", 1..6),
        json in "[\\[\\]{}\",:a-z0-9 ]{0,60}",
    ) {
        // Well-formed base64url wrapping arbitrary JSON-ish text, in every position.
        let (issuer, _) = keys();
        let enc = accord::formats::jose::b64(json.as_bytes());
        let jwt = format!("{enc}.{enc}.{}", parts[0]);
        let text = format!("{jwt}~{}~{enc}~", parts.join("~"));
        if let Ok((sd, _)) = parse_any(&text) {
            let _ = verify(&sd, &mut FixedIssuerKey(issuer.verifying_key()), &options());
        }
    }
}
