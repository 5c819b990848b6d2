//! PAdES (ETSI EN 319 142-1): validating the signatures of a PDF as EN 319 102-1 orders it,
//! and making them for Accord's reference roles.
//!
//! Validation, for each signature: format checking (the PDF, the signature dictionary, the
//! /ByteRange over the whole revision but /Contents), the CMS verified over the byte range
//! (`formats::cms`), the baseline rules of EN 319 142-1 clause 6.3 (SubFilter, the ESS
//! signing-certificate-v2 attribute, no signing-time attribute, /M), what later revisions
//! changed ([`super::changes`]), the proof of existence (a signature time-stamp, or a
//! document time-stamp that covers the signature: `trust::tsp`), the signer's chain judged
//! against the trusted lists at the proven time (`ServiceDirectory::lookup`), then the
//! levels: T (a valid time-stamp), LT (the DSS holds the chain), LTA (a valid document
//! time-stamp after the DSS).
//!
//! Revocation values (OCSP, CRL) in the DSS are read but not checked: a signature that
//! carries them is reported *not implemented*, never passed.

use aws_lc_rs::digest;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use super::PdfError;
use super::changes;
use super::document::{Document, revision_ends};
use super::signatures::{self, Dss, PdfSignature, SignatureKind};
use super::writer::{self, CertificateText, SignatureRequest};
use crate::formats::cms::{self, SignRequest, SignedContent, oid};
use crate::formats::der::{self, tag};
use crate::requirements::pades as req;
use crate::trust::ades::rfc3339;
use crate::trust::ades::{Level, ServiceFinding, Step, SubIndication, ValidationReport};
use crate::trust::pki::Party;
use crate::trust::services::{ListedService, Lookup, ServiceDirectory, ServiceKind, StatusPeriod};
use crate::trust::tsp::{self, MessageImprint, TimeStampReq, Tsa};
use crate::trust::tsp_pki::TrustServicePki;
use crate::trust::x5c;

/// The report's format name.
pub const FORMAT: &str = "PAdES";
/// `ETSI.CAdES.detached`: the PAdES baseline SubFilter (EN 319 142-1 clause 6.3).
pub const SUBFILTER_CADES: &str = "ETSI.CAdES.detached";
/// `ETSI.RFC3161`: a document time-stamp's SubFilter (EN 319 142-1 clause 5.4.3).
pub const SUBFILTER_RFC3161: &str = "ETSI.RFC3161";
/// How many bytes a signature's /Contents reserves: a CMS with a two-certificate chain and a
/// time-stamp token fits in a quarter of it.
const RESERVE: usize = 16 * 1024;

/// A PDF date (`D:YYYYMMDDHHmmSS` with an optional `Z` or `+hh'mm'`), Unix seconds.
pub fn parse_pdf_date(text: &str) -> Option<i64> {
    let digits = text.strip_prefix("D:").unwrap_or(text);
    let n = |r: std::ops::Range<usize>, default: u32| -> Option<u32> {
        match digits.get(r) {
            Some(s) if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() => s.parse().ok(),
            _ => Some(default),
        }
    };
    let year = i32::try_from(n(0..4, u32::MAX)?).ok()?;
    let month = time::Month::try_from(u8::try_from(n(4..6, 1)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(n(6..8, 1)?).ok()?).ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(n(8..10, 0)?).ok()?,
        u8::try_from(n(10..12, 0)?).ok()?,
        u8::try_from(n(12..14, 0)?).ok()?,
    )
    .ok()?;
    let mut unix = time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp();
    // A `+hh'mm'` or `-hh'mm'` offset: local time minus the offset is UTC.
    if let Some(rest) = digits.get(14..) {
        let sign = match rest.as_bytes().first() {
            Some(b'+') => -1,
            Some(b'-') => 1,
            _ => 0,
        };
        if sign != 0 {
            let parts: Vec<i64> = rest[1..]
                .split('\'')
                .filter(|p| !p.is_empty())
                .filter_map(|p| p.parse().ok())
                .collect();
            let hours = parts.first().copied().unwrap_or(0);
            let minutes = parts.get(1).copied().unwrap_or(0);
            unix += sign * (hours * 3600 + minutes * 60);
        }
    }
    Some(unix)
}

/// Records a step that did not pass without deciding the outcome: a property whose absence
/// only lowers the level reached.
fn note(
    report: &mut ValidationReport,
    requirement: &'static crate::requirements::Requirement,
    detail: String,
) {
    report.steps.push(Step {
        requirement: requirement.id,
        passed: false,
        detail,
    });
}

/// The report of the first signature of `pdf` (the one a signed certificate carries),
/// validated at `at` (Unix seconds). A PDF with no signature is TOTAL-FAILED/FORMAT_FAILURE.
pub fn validate(pdf: &[u8], directory: &ServiceDirectory, at: i64) -> ValidationReport {
    validate_all(pdf, directory, at)
        .into_iter()
        .next()
        .unwrap_or_else(|| {
            let mut report = ValidationReport::new(FORMAT);
            report.fail(
                &req::ADES_PADES_FORMAT,
                SubIndication::FormatFailure,
                "the PDF has no signed signature field",
            );
            report
        })
}

/// One report per signature (document time-stamps are reported inside the signatures they
/// cover, under [`ValidationReport::timestamps`]). Empty when there is no signature; a PDF
/// that cannot be read gives one FORMAT_FAILURE report naming where.
pub fn validate_all(pdf: &[u8], directory: &ServiceDirectory, at: i64) -> Vec<ValidationReport> {
    let parsed = Document::parse(pdf).and_then(|document| {
        let sigs = signatures::signatures(pdf, &document)?;
        let dss = signatures::dss(&document)?;
        Ok((document, sigs, dss))
    });
    let (document, sigs, dss) = match parsed {
        Ok(x) => x,
        Err(e) => {
            let mut report = ValidationReport::new(FORMAT);
            report.fail(
                &req::ADES_PADES_FORMAT,
                SubIndication::FormatFailure,
                e.to_string(),
            );
            return vec![report];
        }
    };
    let ends = revision_ends(pdf, &document);
    // The revision the DSS was last changed in: the first revision whose catalog has it as
    // the final file does.
    let dss_revision = dss_revision(pdf, &ends, &document);
    let doc_stamps: Vec<&PdfSignature> = sigs
        .iter()
        .filter(|s| s.kind == SignatureKind::DocTimeStamp)
        .collect();
    sigs.iter()
        .filter(|s| s.kind == SignatureKind::Signature)
        .map(|s| {
            validate_one(
                pdf,
                s,
                &doc_stamps,
                dss.as_ref(),
                dss_revision,
                directory,
                at,
            )
        })
        .collect()
}

fn dss_revision(pdf: &[u8], ends: &[usize], document: &Document) -> Option<usize> {
    let final_dss = document.catalog().ok()?.get("DSS")?.clone();
    for (index, end) in ends.iter().enumerate() {
        if let Ok(d) = Document::parse(&pdf[..*end])
            && d.catalog().ok().and_then(|c| c.get("DSS")) == Some(&final_dss)
            && d.objects.get(&final_dss.as_ref()?.num)
                == document.objects.get(&final_dss.as_ref()?.num)
        {
            return Some(index);
        }
    }
    None
}

/// EN 319 142-1 clause 5.1: two ranges from byte 0, the gap exactly the hex string, the end
/// at the end of a revision.
fn check_byte_range(pdf: &[u8], sig: &PdfSignature) -> Result<String, String> {
    let [(0, first), (second, rest)] = sig.byte_range.as_slice() else {
        return Err(format!(
            "/ByteRange {:?} is not two ranges from byte 0",
            sig.byte_range
        ));
    };
    let end = second
        .checked_add(*rest)
        .ok_or("the /ByteRange overflows")?;
    if first >= second || end > pdf.len() {
        return Err(format!(
            "/ByteRange {:?} does not fit the file of {} bytes",
            sig.byte_range,
            pdf.len()
        ));
    }
    if pdf.get(*first) != Some(&b'<') || pdf.get(second - 1) != Some(&b'>') {
        return Err("the gap in /ByteRange is not exactly the /Contents hex string".into());
    }
    let hex_digits = second - first - 2;
    if hex_digits != sig.contents.len() * 2 && hex_digits != sig.contents.len() * 2 - 1 {
        return Err("the gap in /ByteRange is not this signature's /Contents".into());
    }
    match sig.revision {
        Some(r) => Ok(format!(
            "bytes 0..{first} and {second}..{end}: revision {r} but its /Contents"
        )),
        None => Err(format!(
            "the /ByteRange ends at byte {end}, which ends no revision"
        )),
    }
}

#[allow(clippy::too_many_arguments)]
fn validate_one(
    pdf: &[u8],
    sig: &PdfSignature,
    doc_stamps: &[&PdfSignature],
    dss: Option<&Dss>,
    dss_revision: Option<usize>,
    directory: &ServiceDirectory,
    at: i64,
) -> ValidationReport {
    let mut report = ValidationReport::new(FORMAT);
    report.pass(
        &req::ADES_PADES_FORMAT,
        format!("signature field `{}` read", sig.field_name),
    );
    report.claimed_signing_time = sig
        .signing_time
        .as_deref()
        .and_then(parse_pdf_date)
        .map(rfc3339);

    // Format checking (EN 319 102-1 5.2.2) and the byte range (EN 319 142-1 5.1).
    match check_byte_range(pdf, sig) {
        Ok(detail) => report.pass(&req::PADES_BYTE_RANGE, detail),
        Err(detail) => {
            report.fail(&req::PADES_BYTE_RANGE, SubIndication::FormatFailure, detail);
            return report;
        }
    }
    let Some(signed) = sig.signed_bytes(pdf) else {
        report.fail(
            &req::PADES_BYTE_RANGE,
            SubIndication::FormatFailure,
            "the /ByteRange lies outside the file",
        );
        return report;
    };
    match sig.sub_filter.as_deref() {
        Some(SUBFILTER_CADES) => report.pass(&req::PADES_SUBFILTER, SUBFILTER_CADES),
        other => report.fail(
            &req::PADES_SUBFILTER,
            SubIndication::SigConstraintsFailure,
            format!(
                "/SubFilter {} is not the PAdES baseline's {SUBFILTER_CADES}",
                other.unwrap_or("(none)")
            ),
        ),
    }

    // Cryptographic verification (EN 319 102-1 5.2.7) of the CMS over the byte range.
    let dss_certs = dss.map(|d| d.certs.clone()).unwrap_or_default();
    let verified = match cms::verify_signed_data_with(sig.contents_der(), Some(&signed), &dss_certs)
    {
        Ok(v) => v,
        Err(e) => {
            e.record(&mut report, &req::ADES_PADES_CRYPTO);
            return report;
        }
    };
    if verified.econtent.is_some() || verified.econtent_type != oid::DATA {
        report.fail(
            &req::PADES_CONTENTS_CMS,
            SubIndication::FormatFailure,
            format!(
                "the CMS is not detached id-data (eContentType {})",
                verified.econtent_type
            ),
        );
    } else {
        report.pass(&req::PADES_CONTENTS_CMS, "detached id-data SignedData");
    }
    report.pass(
        &req::ADES_PADES_CRYPTO,
        format!(
            "message digest and {} signature verify",
            verified.signature_algorithm
        ),
    );
    let signer = X509Certificate::from_der(&verified.signer_cert)
        .ok()
        .map(|(_, c)| c);
    report.signer = signer.as_ref().map(|c| c.subject().to_string());

    // The baseline's signed attributes (EN 319 142-1 6.3).
    if verified.signing_certificate_v2.is_some() {
        report.pass(
            &req::PADES_SIGNING_CERTIFICATE,
            "signing-certificate-v2 names the signer's certificate",
        );
    } else if verified.signing_certificate_v1.is_some() {
        report.pass(
            &req::PADES_SIGNING_CERTIFICATE,
            "signing-certificate (v1, SHA-1) names the signer's certificate",
        );
    } else {
        report.fail(
            &req::PADES_SIGNING_CERTIFICATE,
            SubIndication::FormatFailure,
            "no ESS signing-certificate(-v2) attribute",
        );
    }
    if verified.signed(oid::SIGNING_TIME).is_some() {
        report.fail(
            &req::PADES_NO_SIGNING_TIME,
            SubIndication::SigConstraintsFailure,
            "the CMS carries a signing-time attribute, which a PAdES baseline signature shall not",
        );
    } else {
        report.pass(&req::PADES_NO_SIGNING_TIME, "no signing-time attribute");
    }
    match &report.claimed_signing_time {
        Some(t) => report.pass(&req::PADES_CLAIMED_TIME, format!("/M {t}")),
        None => note(
            &mut report,
            &req::PADES_CLAIMED_TIME,
            "no /M in the signature dictionary".into(),
        ),
    }

    // What later revisions did (EN 319 142-1 5.4.1, ISO 32000-2 12.8.2.2).
    if let Some(revision) = sig.revision {
        match changes::analyse(pdf, revision) {
            Ok(found) if found.modified() => report.fail(
                &req::PADES_NO_MODIFICATION,
                SubIndication::HashFailure,
                format!("modified after signing: {}", found.summary()),
            ),
            Ok(found) => report.pass(&req::PADES_NO_MODIFICATION, found.summary()),
            Err(e) => report.fail(
                &req::PADES_NO_MODIFICATION,
                SubIndication::FormatFailure,
                e.to_string(),
            ),
        }
    }

    // Proof of existence: the signature time-stamp over the signature value (B-T) or a
    // document time-stamp of a later revision.
    let mut proven: Option<i64> = None;
    for attribute in verified
        .unsigned_attributes
        .iter()
        .filter(|a| a.oid == oid::SIGNATURE_TIME_STAMP_TOKEN)
    {
        for token in &attribute.values {
            let ts = tsp::validate_token(token, &verified.signature_value, directory, None);
            let time = ts.proven_signing_time.clone();
            if ts.passed() {
                let stamped = time.as_deref().and_then(parse_rfc3339);
                proven = match (proven, stamped) {
                    (Some(p), Some(g)) => Some(p.min(g)),
                    (p, g) => p.or(g),
                };
                report.pass(
                    &req::PADES_SIGNATURE_TIME_STAMP,
                    format!("signature time-stamp at {}", time.unwrap_or_default()),
                );
            } else {
                note(
                    &mut report,
                    &req::PADES_SIGNATURE_TIME_STAMP,
                    format!("signature time-stamp not valid: {}", ts.outcome.label()),
                );
            }
            report.timestamps.push(ts);
        }
    }
    // Document time-stamps after this signature's revision.
    let mut lta = false;
    for stamp in doc_stamps.iter().filter(|d| d.revision > sig.revision) {
        let ts = validate_doc_timestamp(pdf, stamp, directory);
        if ts.passed() {
            let stamped = ts.proven_signing_time.as_deref().and_then(parse_rfc3339);
            if proven.is_none() {
                proven = stamped;
                report.pass(
                    &req::PADES_SIGNATURE_TIME_STAMP,
                    format!(
                        "document time-stamp `{}` covers the signature",
                        stamp.field_name
                    ),
                );
            }
            if dss_revision.is_some() && stamp.revision > dss_revision {
                lta = true;
                report.pass(
                    &req::PADES_DOCUMENT_TIME_STAMP,
                    format!("document time-stamp `{}` covers the DSS", stamp.field_name),
                );
            }
        } else {
            note(
                &mut report,
                &req::PADES_DOCUMENT_TIME_STAMP,
                format!(
                    "document time-stamp `{}` not valid: {}",
                    stamp.field_name,
                    ts.outcome.label()
                ),
            );
        }
        report.timestamps.push(ts);
    }
    report.proven_signing_time = proven.map(rfc3339);

    // The signer's chain and its listing at the time judged (EN 319 102-1 5.2.6).
    let mut pool: Vec<Vec<u8>> = verified.certificates.clone();
    pool.extend(dss_certs.iter().cloned());
    let chain = build_chain(&verified.signer_cert, &pool);
    let judged_at = proven.unwrap_or(at);
    judge_signer(&mut report, &chain, directory, judged_at, proven.is_some());

    // Levels and validation data.
    let chain_in_dss = dss.is_some_and(|d| {
        chain
            .iter()
            .all(|c| d.certs.contains(c) || c == &verified.signer_cert)
            && !d.certs.is_empty()
    });
    if let Some(d) = dss {
        if chain_in_dss {
            report.pass(
                &req::PADES_DSS,
                format!(
                    "DSS: {} certificate(s), {} OCSP, {} CRL",
                    d.certs.len(),
                    d.ocsps.len(),
                    d.crls.len()
                ),
            );
        } else {
            note(
                &mut report,
                &req::PADES_DSS,
                "the DSS does not hold the signer's chain".into(),
            );
        }
        if !d.ocsps.is_empty() || !d.crls.is_empty() {
            note(
                &mut report,
                &req::ADES_PADES_REVOCATION,
                format!(
                    "{} OCSP response(s) and {} CRL(s) in the DSS are not checked",
                    d.ocsps.len(),
                    d.crls.len()
                ),
            );
            report.not_implemented("checking the OCSP responses and CRLs of a PDF's DSS");
        } else {
            note(
                &mut report,
                &req::ADES_PADES_REVOCATION,
                "no revocation values in the DSS: the signer's status is the listed service's only"
                    .into(),
            );
        }
    }
    let base_ok = report.passed()
        || matches!(
            report.outcome,
            crate::trust::ades::Outcome::NotImplemented { .. }
        );
    report.level = base_ok.then(|| {
        if proven.is_none() {
            Level::B
        } else if !chain_in_dss {
            Level::T
        } else if !lta {
            Level::Lt
        } else {
            Level::Lta
        }
    });
    report
}

fn parse_rfc3339(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

/// A document time-stamp: its byte range as a signature's, its token over those bytes.
fn validate_doc_timestamp(
    pdf: &[u8],
    stamp: &PdfSignature,
    directory: &ServiceDirectory,
) -> ValidationReport {
    let bytes = match (check_byte_range(pdf, stamp), stamp.signed_bytes(pdf)) {
        (Ok(_), Some(b)) => b,
        (Err(detail), _) => {
            let mut report = ValidationReport::new("RFC 3161");
            report.fail(&req::PADES_BYTE_RANGE, SubIndication::FormatFailure, detail);
            return report;
        }
        (Ok(_), None) => {
            let mut report = ValidationReport::new("RFC 3161");
            report.fail(
                &req::PADES_BYTE_RANGE,
                SubIndication::FormatFailure,
                "the /ByteRange lies outside the file",
            );
            return report;
        }
    };
    let mut report = tsp::validate_token(stamp.contents_der(), &bytes, directory, None);
    if stamp.sub_filter.as_deref() != Some(SUBFILTER_RFC3161) {
        report.fail(
            &req::PADES_DOCUMENT_TIME_STAMP,
            SubIndication::FormatFailure,
            format!(
                "a document time-stamp with /SubFilter {}",
                stamp.sub_filter.as_deref().unwrap_or("(none)")
            ),
        );
    }
    report
}

/// The signer's certificate, then each issuer found in `pool` by subject (at most eight).
fn build_chain(signer: &[u8], pool: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut chain = vec![signer.to_vec()];
    for _ in 0..8 {
        let Some(last) = chain.last() else { break };
        let Ok((_, cert)) = X509Certificate::from_der(last) else {
            break;
        };
        if cert.subject().as_raw() == cert.issuer().as_raw() {
            break;
        }
        let issuer = pool.iter().find(|c| {
            !chain.contains(c)
                && X509Certificate::from_der(c)
                    .is_ok_and(|(_, p)| p.subject().as_raw() == cert.issuer().as_raw())
        });
        match issuer {
            Some(i) => chain.push(i.clone()),
            None => break,
        }
    }
    chain
}

fn judge_signer(
    report: &mut ValidationReport,
    chain: &[Vec<u8>],
    directory: &ServiceDirectory,
    at: i64,
    proven: bool,
) {
    // Every link of the chain verifies (the list vouches for its top).
    for pair in chain.windows(2) {
        let linked = match (
            X509Certificate::from_der(&pair[0]),
            X509Certificate::from_der(&pair[1]),
        ) {
            (Ok((_, child)), Ok((_, parent))) => {
                x5c::public_key(&parent).and_then(|k| x5c::check_signature(&child, &k))
            }
            _ => Err("a certificate of the chain cannot be parsed".into()),
        };
        if let Err(e) = linked {
            report.fail(
                &req::ADES_PADES_SIGNER_LISTED,
                SubIndication::CertificateChainGeneralFailure,
                e,
            );
            return;
        }
    }
    let finding = |service: &ListedService, period: Option<&StatusPeriod>| ServiceFinding {
        territory: service.territory.clone(),
        provider: service.provider.clone(),
        service: service.service_name.clone(),
        service_type: service.type_uri.clone(),
        status: period.map(|p| p.status.clone()).unwrap_or_default(),
        status_since: period.map(|p| rfc3339(p.since)).unwrap_or_default(),
        judged_at: rfc3339(at),
    };
    // An e-signature service in good standing wins over an e-seal one.
    let signature = directory.lookup(chain, ServiceKind::ESignature, at);
    let lookup = match signature {
        Lookup::InGoodStanding { .. } => signature,
        _ => match directory.lookup(chain, ServiceKind::ESeal, at) {
            Lookup::NotListed => signature,
            Lookup::WrongKind { .. } if !matches!(signature, Lookup::NotListed) => signature,
            seal => seal,
        },
    };
    match lookup {
        Lookup::InGoodStanding { service, period } => {
            report.service = Some(finding(service, Some(period)));
            report.pass(
                &req::ADES_PADES_SIGNER_LISTED,
                format!(
                    "{} ({}) vouches for the signer, {} at {}",
                    service.service_name,
                    service.territory,
                    period.status,
                    rfc3339(at)
                ),
            );
        }
        Lookup::NotInGoodStanding { service, period } => {
            report.service = Some(finding(service, period));
            match period {
                // Withdrawn before the proven time: the signature was made after it.
                Some(p) if proven => report.fail(
                    &req::ADES_PADES_SIGNER_LISTED,
                    SubIndication::Revoked,
                    format!(
                        "{} was {} since {}, before the proven signing time",
                        service.service_name,
                        p.status,
                        rfc3339(p.since)
                    ),
                ),
                Some(p) => report.fail(
                    &req::ADES_PADES_SIGNER_LISTED,
                    SubIndication::RevokedNoPoe,
                    format!(
                        "{} was {} at {} and no time-stamp proves the signature older",
                        service.service_name,
                        p.status,
                        rfc3339(at)
                    ),
                ),
                None => report.fail(
                    &req::ADES_PADES_SIGNER_LISTED,
                    SubIndication::ChainConstraintsFailure,
                    format!(
                        "{} was not yet listed at {}",
                        service.service_name,
                        rfc3339(at)
                    ),
                ),
            }
        }
        Lookup::WrongKind { service } => {
            report.service = Some(finding(service, None));
            report.fail(
                &req::ADES_PADES_SIGNER_LISTED,
                SubIndication::ChainConstraintsFailure,
                format!("the signer's chain is listed under {} ({}), not an e-signature or e-seal service", service.service_name, service.type_uri),
            );
        }
        Lookup::NotListed => report.fail(
            &req::ADES_PADES_SIGNER_LISTED,
            SubIndication::NoCertificateChainFound,
            "no listed e-signature or e-seal service vouches for the signer's chain",
        ),
    }
    // The signing certificate's validity at the time judged.
    let Some(Ok((_, leaf))) = chain.first().map(|c| X509Certificate::from_der(c)) else {
        return;
    };
    let (not_before, not_after) = (
        leaf.validity().not_before.timestamp(),
        leaf.validity().not_after.timestamp(),
    );
    if at < not_before || at > not_after {
        let sub = match (proven, at < not_before) {
            (true, true) => SubIndication::NotYetValid,
            (true, false) => SubIndication::Expired,
            (false, _) => SubIndication::OutOfBoundsNoPoe,
        };
        report.fail(
            &req::ADES_PADES_CERT_VALIDITY,
            sub,
            format!(
                "{} lies outside the certificate's {}..{}",
                rfc3339(at),
                rfc3339(not_before),
                rfc3339(not_after)
            ),
        );
    } else {
        report.pass(
            &req::ADES_PADES_CERT_VALIDITY,
            format!("{} within the certificate's validity", rfc3339(at)),
        );
    }
}

/// The services of the seeded XML trusted lists, without the lists (see
/// [`tsp::seeded_directory`]).
pub fn seeded_directory(pki: &TrustServicePki) -> ServiceDirectory {
    tsp::seeded_directory(pki)
}

// ---------------------------------------------------------------------------------------------
// Signing (the reference roles)
// ---------------------------------------------------------------------------------------------

/// Why a PDF could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error("CMS: {0}")]
    Cms(String),
    #[error("time-stamp: {0}")]
    TimeStamp(String),
}

/// A stamp of `data` by `tsa` (a token, DER).
fn stamp(tsa: &Tsa, data: &[u8]) -> Result<Vec<u8>, SignError> {
    let request = TimeStampReq {
        imprint: MessageImprint::sha256(data),
        req_policy: None,
        nonce: None,
        cert_req: true,
        has_extensions: false,
    };
    tsa.issue(&request)
        .map_err(|resp| SignError::TimeStamp(format!("the TSA refused: {resp:?}")))
}

/// Signs `pdf` PAdES-B-B (or B-T with `tsa`) in an incremental update: a signature field
/// `field`, /M at `signing_time`, a detached CMS by `signer` with `chain`,
/// signing-certificate-v2 and no signing-time attribute (EN 319 142-1 clause 6.3).
pub fn sign(
    pdf: &[u8],
    field: &str,
    signer: &Party,
    chain: &[Vec<u8>],
    signing_time: i64,
    tsa: Option<&Tsa>,
) -> Result<Vec<u8>, SignError> {
    let prepared = writer::prepare_signature(
        pdf,
        &SignatureRequest {
            field: field.into(),
            kind: SignatureKind::Signature,
            sub_filter: SUBFILTER_CADES.into(),
            signing_time: Some(signing_time),
            signer_name: None,
            reason: Some("Degree certificate issued by the registrar".into()),
            location: None,
            reserve: RESERVE,
        },
    )?;
    let to_sign = prepared.to_be_signed();
    let mut cms_der = cms::sign(&SignRequest {
        content: SignedContent::Detached(&to_sign),
        content_type: oid::DATA,
        signer,
        chain,
        include_certificates: true,
        signing_time: None,
        extra_signed_attributes: vec![],
        unsigned_attributes: vec![],
        signing_certificate_v2: true,
    })
    .map_err(|e| SignError::Cms(e.to_string()))?;
    if let Some(tsa) = tsa {
        let parsed = cms::parse_signed_data(&cms_der).map_err(|e| SignError::Cms(e.to_string()))?;
        let token = stamp(tsa, parsed.signer.signature)?;
        let attribute = der::sequence(&[
            der::oid(oid::SIGNATURE_TIME_STAMP_TOKEN),
            der::set_of(&[token]),
        ]);
        cms_der = with_unsigned_attribute(&cms_der, &attribute).map_err(SignError::Cms)?;
    }
    Ok(prepared.fill(&cms_der)?)
}

/// `cms_der` with `attribute` (a DER Attribute) added to its one signer's unsigned
/// attributes. The signature does not cover them, so the signature value stays valid.
pub fn with_unsigned_attribute(cms_der: &[u8], attribute: &[u8]) -> Result<Vec<u8>, String> {
    let e = |e: der::DerError| e.to_string();
    let content_info = der::parse_one(cms_der, tag::SEQUENCE, "ContentInfo").map_err(e)?;
    let mut ci = content_info.reader().map_err(e)?;
    let content_type = ci.expect(tag::OID, "contentType").map_err(e)?;
    let explicit = ci.expect(tag::context(0), "content").map_err(e)?;
    let signed_data = der::parse_one(explicit.content, tag::SEQUENCE, "SignedData").map_err(e)?;
    let mut sd = signed_data.reader().map_err(e)?;
    let mut fields = Vec::new();
    while !sd.is_empty() {
        fields.push(sd.next_tlv("SignedData field").map_err(e)?);
    }
    let Some(signer_infos) = fields.pop().filter(|f| f.tag == tag::SET) else {
        return Err("SignedData does not end with signerInfos".into());
    };
    let mut infos = signer_infos.reader().map_err(e)?;
    let info = infos.expect(tag::SEQUENCE, "SignerInfo").map_err(e)?;
    if !infos.is_empty() {
        return Err("more than one SignerInfo".into());
    }
    let mut si = info.reader().map_err(e)?;
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut unsigned: Vec<Vec<u8>> = Vec::new();
    while !si.is_empty() {
        let field = si.next_tlv("SignerInfo field").map_err(e)?;
        if field.tag == tag::context(1) {
            let mut existing = field.reader().map_err(e)?;
            while !existing.is_empty() {
                unsigned.push(
                    existing
                        .next_tlv("unsigned Attribute")
                        .map_err(e)?
                        .raw
                        .to_vec(),
                );
            }
        } else {
            parts.push(field.raw.to_vec());
        }
    }
    unsigned.push(attribute.to_vec());
    let mut set = der::set_of(&unsigned);
    set[0] = tag::context(1);
    parts.push(set);
    let mut sd_parts: Vec<Vec<u8>> = fields.iter().map(|f| f.raw.to_vec()).collect();
    sd_parts.push(der::set_of(&[der::sequence(&parts)]));
    Ok(der::sequence(&[
        content_type.raw.to_vec(),
        der::context(0, &der::sequence(&sd_parts)),
    ]))
}

/// Adds a document time-stamp (EN 319 142-1 clause 5.4.3) by `tsa` in an incremental update.
pub fn add_document_timestamp(pdf: &[u8], field: &str, tsa: &Tsa) -> Result<Vec<u8>, SignError> {
    let prepared = writer::prepare_signature(
        pdf,
        &SignatureRequest {
            field: field.into(),
            kind: SignatureKind::DocTimeStamp,
            sub_filter: SUBFILTER_RFC3161.into(),
            signing_time: None,
            signer_name: None,
            reason: None,
            location: None,
            reserve: RESERVE,
        },
    )?;
    let token = stamp(tsa, &prepared.to_be_signed())?;
    Ok(prepared.fill(&token)?)
}

/// Adds a DSS (EN 319 142-1 clause 5.4.2) holding `certs`, with a /VRI entry for every
/// signature of the document (the SHA-1 of its /Contents, upper-case hex).
pub fn add_validation_data(pdf: &[u8], certs: &[Vec<u8>]) -> Result<Vec<u8>, SignError> {
    let document = Document::parse(pdf)?;
    let keys: Vec<String> = signatures::signatures(pdf, &document)?
        .iter()
        .map(|s| {
            digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, s.contents_der())
                .as_ref()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect()
        })
        .collect();
    Ok(writer::add_dss(pdf, certs, &[], &[], &keys)?)
}

/// The reference certificate a seeded university issues: a degree certificate of "Osaka
/// Exemplar University" for `graduate`, signed by the JP registrar at `signing_time`, up to
/// `level` (B: signature only; T: a signature time-stamp; LT: and a DSS with the chain;
/// LTA: and a document time-stamp). `tsa` stamps (its clock is the caller's).
pub fn reference_certificate(
    pki: &TrustServicePki,
    graduate: &str,
    signing_time: i64,
    level: Level,
    tsa: &Tsa,
) -> Result<Vec<u8>, SignError> {
    reference_certificate_with(pki, graduate, None, signing_time, level, tsa)
}

/// [`reference_certificate`], carrying `degree_data` (the JP degree claim set as JSON) as its
/// embedded, associated `degree.json` when given.
pub fn reference_certificate_with(
    pki: &TrustServicePki,
    graduate: &str,
    degree_data: Option<Vec<u8>>,
    signing_time: i64,
    level: Level,
    tsa: &Tsa,
) -> Result<Vec<u8>, SignError> {
    let pdf = writer::certificate_pdf(&CertificateText {
        transcript: None,
        attachment: degree_data,
        university: "Osaka Exemplar University".into(),
        graduate: graduate.into(),
        degree: "Bachelor of Engineering".into(),
        conferred: signing_time,
    });
    let registrar = &pki.jp.signatures;
    let chain = [registrar.ca.cert_der.clone()];
    let stamp_with = (level >= Level::T).then_some(tsa);
    let mut pdf = sign(
        &pdf,
        "Registrar",
        &registrar.leaf,
        &chain,
        signing_time,
        stamp_with,
    )?;
    if level >= Level::Lt {
        pdf = add_validation_data(
            &pdf,
            &[
                registrar.leaf.cert_der.clone(),
                registrar.ca.cert_der.clone(),
                pki.jp.tsa.cert_der.clone(),
            ],
        )?;
    }
    if level >= Level::Lta {
        pdf = add_document_timestamp(&pdf, "ArchiveTimeStamp", tsa)?;
    }
    Ok(pdf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::FixedClock;
    use crate::trust::ades::Outcome;
    use crate::trust::tsp::TsaSite;
    use std::sync::{Arc, OnceLock};

    /// 2026-04-01T00:00:00Z: signing time of the reference certificates.
    const SIGNED_AT: i64 = 1_775_001_600;
    /// A year later: the validation time.
    const NOW: i64 = 1_806_537_600;

    fn pki() -> Arc<TrustServicePki> {
        static PKI: OnceLock<Arc<TrustServicePki>> = OnceLock::new();
        PKI.get_or_init(|| Arc::new(TrustServicePki::generate(11).expect("pki")))
            .clone()
    }

    fn tsa() -> Tsa {
        Tsa::new(
            pki(),
            TsaSite::Jp,
            std::sync::Arc::new(FixedClock(SIGNED_AT + 5)),
        )
    }

    fn certificate(level: Level) -> Vec<u8> {
        reference_certificate(&pki(), "Hanako Yamada", SIGNED_AT, level, &tsa()).expect("signed")
    }

    #[test]
    fn each_level_validates_as_itself() {
        let directory = seeded_directory(&pki());
        for level in [Level::B, Level::T, Level::Lt, Level::Lta] {
            let report = validate(&certificate(level), &directory, NOW);
            assert_eq!(report.outcome, Outcome::Passed, "{level:?}: {report:#?}");
            assert_eq!(report.level, Some(level), "{report:#?}");
            assert!(report.signer.as_deref().is_some_and(|s| s.contains("CN=")));
            assert_eq!(
                report.claimed_signing_time.as_deref(),
                Some("2026-04-01T00:00:00Z")
            );
        }
        let lta = validate(&certificate(Level::Lta), &directory, NOW);
        assert_eq!(
            lta.proven_signing_time.as_deref(),
            Some("2026-04-01T00:00:05Z")
        );
        assert_eq!(lta.timestamps.len(), 2, "signature and document time-stamp");
        assert!(lta.service.as_ref().is_some_and(|s| s.territory == "JP"));
    }

    #[test]
    fn a_page_change_after_signing_fails_a_dss_does_not() {
        let directory = seeded_directory(&pki());
        let signed = certificate(Level::T);
        let with_dss =
            add_validation_data(&signed, &[pki().jp.signatures.ca.cert_der.clone()]).expect("dss");
        assert!(validate(&with_dss, &directory, NOW).passed());
        let changed = writer::change_page_text(&signed, "Doctor of Medicine").expect("fault");
        let report = validate(&changed, &directory, NOW);
        assert_eq!(
            report.outcome.label(),
            "TOTAL-FAILED/HASH_FAILURE",
            "{report:#?}"
        );
        assert_eq!(
            report.failed_requirements(),
            vec![req::PADES_NO_MODIFICATION.id]
        );
    }

    #[test]
    fn a_flipped_byte_in_the_signed_range_is_a_hash_failure() {
        let directory = seeded_directory(&pki());
        let mut pdf = certificate(Level::B);
        // A byte of the page content stream (inside the first range).
        let at = crate::formats::pdf::object::find(&pdf, b"stream\n").expect("a stream") + 10;
        pdf[at] ^= 0x01;
        let report = validate(&pdf, &directory, NOW);
        assert_eq!(
            report.outcome.label(),
            "TOTAL-FAILED/HASH_FAILURE",
            "{report:#?}"
        );
    }

    #[test]
    fn an_unlisted_signer_has_no_chain() {
        let report = validate(&certificate(Level::B), &ServiceDirectory::default(), NOW);
        assert_eq!(
            report.outcome.label(),
            "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"
        );
    }

    #[test]
    fn what_is_not_a_signed_pdf_fails_cleanly() {
        let directory = seeded_directory(&pki());
        let report = validate(b"%PDF-1.7\n", &directory, NOW);
        assert_eq!(report.outcome.label(), "TOTAL-FAILED/FORMAT_FAILURE");
        let plain = writer::certificate_pdf(&CertificateText {
            transcript: None,
            attachment: None,
            university: "U".into(),
            graduate: "G".into(),
            degree: "D".into(),
            conferred: SIGNED_AT,
        });
        let report = validate(&plain, &directory, NOW);
        assert_eq!(report.outcome.label(), "TOTAL-FAILED/FORMAT_FAILURE");
    }

    #[test]
    fn pdf_dates_parse() {
        assert_eq!(parse_pdf_date("D:20260401000000Z"), Some(SIGNED_AT));
        assert_eq!(parse_pdf_date("D:20260401090000+09'00'"), Some(SIGNED_AT));
        assert_eq!(parse_pdf_date("D:2026"), Some(1_767_225_600));
        assert_eq!(parse_pdf_date("garbage"), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// Any byte changed in the signed range of a signed PDF (anywhere but the `/Contents`
        /// hex string the range leaves out) is detected: the PDF is never TOTAL-PASSED.
        #[test]
        fn any_byte_changed_in_the_signed_range_is_detected(at in 0usize..1_000_000, byte in 0u8..=255) {
            static PDF: OnceLock<Vec<u8>> = OnceLock::new();
            static DIRECTORY: OnceLock<ServiceDirectory> = OnceLock::new();
            let pdf = PDF.get_or_init(|| certificate(Level::B));
            let directory = DIRECTORY.get_or_init(|| seeded_directory(&pki()));
            let contents = crate::formats::pdf::object::find(pdf, b"/Contents <").expect("Contents") + 10;
            let contents_end = contents + pdf[contents..].iter().position(|b| *b == b'>').expect("end of Contents");
            // An index into the signed bytes: the PDF less the Contents hex string.
            let left_out = contents_end + 1 - contents;
            let k = at % (pdf.len() - left_out);
            let i = if k < contents { k } else { k + left_out };
            proptest::prop_assume!(pdf[i] != byte);
            let mut mutated = pdf.clone();
            mutated[i] = byte;
            let report = validate(&mutated, directory, NOW);
            proptest::prop_assert_ne!(report.outcome, Outcome::Passed, "byte {} set to {:#04x}", i, byte);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Truncated or mutated signed PDFs never panic; they fail or pass with a report.
        #[test]
        fn mutated_pdfs_never_panic(cut in 0usize..100_000, at in 0usize..100_000, byte in 0u8..=255) {
            static PDF: OnceLock<Vec<u8>> = OnceLock::new();
            let pdf = PDF.get_or_init(|| certificate(Level::Lta));
            let directory = ServiceDirectory::default();
            let mut mutated = pdf.clone();
            let i = at % mutated.len();
            mutated[i] = byte;
            let _ = validate(&mutated, &directory, NOW);
            let _ = validate(&pdf[..cut % pdf.len()], &directory, NOW);
        }
    }
}
