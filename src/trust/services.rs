//! Trust services as the trusted lists describe them, in one form every reader shares: a
//! [`ServiceDirectory`] of [`ListedService`]s, each with its type, its digital identities
//! (certificates) and its status history, and the one question the signature and time-stamp
//! validators ask of it: *which listed service vouches for this chain, and what was its
//! status at this time?* (ETSI TS 119 612 clause 5.5.4 status, 5.5.5 starting time, 5.6
//! history; EN 319 102-1 judges a signature by the status at the signing time it can prove.)
//!
//! The XML trusted lists (`trust::etsi_tl`) fill the directory; the JAdES, PAdES and RFC 3161
//! validators read it. Nothing here parses or fetches.

use serde::Serialize;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

/// TS 119 612 clause 5.5.1.1: service type identifiers Accord reads.
pub mod types {
    /// A CA issuing qualified certificates (for qualified e-seals and e-signatures).
    pub const CA_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC";
    /// A qualified time-stamping service.
    pub const TSA_QTST: &str = "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST";
    /// A non-qualified time-stamping service.
    pub const TSA: &str = "http://uri.etsi.org/TrstSvc/Svctype/TSA";
    /// Accord's proposal for a Japanese list: a time-stamping service accredited by the
    /// Minister for Internal Affairs and Communications (総務大臣認定タイムスタンプ).
    pub const JP_ACCREDITED_TSA: &str = "urn:accord:jp:svctype:mic-accredited-tsa";
    /// Accord's proposal: an e-seal certification service under the MIC e-seal
    /// accreditation scheme (eシール認定制度).
    pub const JP_ACCREDITED_ESEAL: &str = "urn:accord:jp:svctype:mic-accredited-eseal-ca";
    /// Accord's proposal: a certification service accredited under the Act on Electronic
    /// Signatures and Certification Business (電子署名法 認定認証業務), for university signers.
    pub const JP_ACCREDITED_ESIG: &str = "urn:accord:jp:svctype:accredited-esig-ca";
}

/// TS 119 612 clause 5.5.4: service status identifiers.
pub mod status {
    pub const GRANTED: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";
    pub const WITHDRAWN: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn";
    pub const RECOGNISED_AT_NATIONAL_LEVEL: &str =
        "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/recognisedatnationallevel";
    pub const DEPRECATED_AT_NATIONAL_LEVEL: &str =
        "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/deprecatedatnationallevel";
    /// Accord's proposal for the JP list: accredited by the competent Japanese ministry.
    pub const JP_ACCREDITED: &str = "urn:accord:jp:svcstatus:accredited";
    /// Accord's proposal for the JP list: accreditation ended.
    pub const JP_ACCREDITATION_ENDED: &str = "urn:accord:jp:svcstatus:accreditation-ended";

    /// Whether a status is one under which the service vouches for what it issued.
    pub fn is_in_good_standing(uri: &str) -> bool {
        matches!(uri, GRANTED | RECOGNISED_AT_NATIONAL_LEVEL | JP_ACCREDITED)
    }
}

/// TS 119 612 clause 5.5.9.2 (Qualifications extension / additional service information):
/// for a CA/QC service, what its qualified certificates are for.
pub mod additional_info {
    pub const FOR_ESIGNATURES: &str =
        "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSignatures";
    pub const FOR_ESEALS: &str = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSeals";
}

/// What a validator needs a service to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceKind {
    /// A CA whose certificates back electronic seals.
    ESeal,
    /// A CA whose certificates back electronic signatures.
    ESignature,
    /// A time-stamping authority.
    TimeStamping,
}

impl ServiceKind {
    /// Whether a listed service of `type_uri` with `additional` information can vouch for
    /// this kind of thing. A CA/QC service with no additional information is taken to serve
    /// both seals and signatures (TS 119 612 clause 5.5.9.4 leaves it to the certificates).
    pub fn served_by(self, type_uri: &str, additional: &[String]) -> bool {
        let says = |x: &str| additional.iter().any(|a| a == x);
        match self {
            ServiceKind::TimeStamping => {
                matches!(
                    type_uri,
                    types::TSA_QTST | types::TSA | types::JP_ACCREDITED_TSA
                )
            }
            ServiceKind::ESeal => match type_uri {
                types::CA_QC => says(additional_info::FOR_ESEALS) || additional.is_empty(),
                types::JP_ACCREDITED_ESEAL => true,
                _ => false,
            },
            ServiceKind::ESignature => match type_uri {
                types::CA_QC => says(additional_info::FOR_ESIGNATURES) || additional.is_empty(),
                types::JP_ACCREDITED_ESIG => true,
                _ => false,
            },
        }
    }
}

/// One status a service held from `since` until the next entry of its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusPeriod {
    pub status: String,
    /// Unix seconds (TS 119 612 clause 5.5.5 `StatusStartingTime`).
    pub since: i64,
}

/// One service of one provider on one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedService {
    /// The list's territory (`EU`, `DE`, `FR`, `JP`, …).
    pub territory: String,
    pub provider: String,
    pub service_name: String,
    pub type_uri: String,
    /// Additional service information URIs (TS 119 612 clause 5.5.9.4).
    pub additional_info: Vec<String>,
    /// The service's digital identities: certificates, DER (TS 119 612 clause 5.5.3).
    pub identities: Vec<Vec<u8>>,
    /// Every status the service held, oldest first (the current one and its history).
    pub history: Vec<StatusPeriod>,
}

impl ListedService {
    /// The status in force at `at`: the latest period that began at or before it. `None`
    /// when the service did not exist yet.
    pub fn status_at(&self, at: i64) -> Option<&StatusPeriod> {
        self.history
            .iter()
            .filter(|p| p.since <= at)
            .max_by_key(|p| p.since)
    }

    /// Whether `chain` (leaf first, DER) is vouched for by one of this service's identities:
    /// a certificate of the chain is an identity, or the chain's last certificate was signed
    /// by one (the identity is the issuing CA, TS 119 612 clause 5.5.3).
    ///
    /// Every certificate before the one that matches must be issued and signed by the one
    /// after it: an identity appended to a forged leaf vouches for nothing.
    pub fn vouches_for(&self, chain: &[Vec<u8>]) -> bool {
        if let Some(k) = chain.iter().position(|c| self.identities.contains(c)) {
            return links_hold(&chain[..=k]);
        }
        if !links_hold(chain) {
            return false;
        }
        let Some(top) = chain.last() else {
            return false;
        };
        let Ok((_, top)) = X509Certificate::from_der(top) else {
            return false;
        };
        self.identities.iter().any(|id| {
            X509Certificate::from_der(id).is_ok_and(|(_, ca)| {
                ca.subject().as_raw() == top.issuer().as_raw()
                    && super::x5c::public_key(&ca)
                        .is_ok_and(|key| super::x5c::check_signature(&top, &key).is_ok())
            })
        })
    }
}

/// Whether each certificate of `chain` (leaf first) names the next as its issuer and carries
/// a signature the next one's key verifies (RFC 5280 clause 6.1.3 (a)(1) and (a)(4)).
pub fn links_hold(chain: &[Vec<u8>]) -> bool {
    if chain.len() < 2 {
        return true;
    }
    let parsed: Vec<_> = chain
        .iter()
        .map(|c| X509Certificate::from_der(c).map(|(_, p)| p))
        .collect();
    if parsed.iter().any(Result::is_err) {
        return false;
    }
    let parsed: Vec<_> = parsed.into_iter().flatten().collect();
    parsed.windows(2).all(|w| {
        w[0].issuer().as_raw() == w[1].subject().as_raw()
            && super::x5c::public_key(&w[1])
                .is_ok_and(|key| super::x5c::check_signature(&w[0], &key).is_ok())
    })
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// A service of the right kind vouches for the chain and was in good standing at the time.
    InGoodStanding {
        service: &'a ListedService,
        period: &'a StatusPeriod,
    },
    /// A service of the right kind vouches for the chain, but its status at the time was
    /// not one in good standing (withdrawn, deprecated), or it was not yet listed.
    NotInGoodStanding {
        service: &'a ListedService,
        period: Option<&'a StatusPeriod>,
    },
    /// A listed service vouches for the chain but is of another kind (a TSA for a seal).
    WrongKind { service: &'a ListedService },
    /// No listed service vouches for the chain.
    NotListed,
}

/// Every service of every list read, for lookups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServiceDirectory {
    pub services: Vec<ListedService>,
}

impl ServiceDirectory {
    /// The service that vouches for `chain` as `kind` at `at` (Unix seconds). A service in
    /// good standing wins over one that is not, and that over one of another kind.
    pub fn lookup(&self, chain: &[Vec<u8>], kind: ServiceKind, at: i64) -> Lookup<'_> {
        let mut best = Lookup::NotListed;
        for service in self.services.iter().filter(|s| s.vouches_for(chain)) {
            if !kind.served_by(&service.type_uri, &service.additional_info) {
                if best == Lookup::NotListed {
                    best = Lookup::WrongKind { service };
                }
                continue;
            }
            let period = service.status_at(at);
            match period {
                Some(p) if status::is_in_good_standing(&p.status) => {
                    return Lookup::InGoodStanding { service, period: p };
                }
                _ => best = Lookup::NotInGoodStanding { service, period },
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(history: &[(&str, i64)]) -> ListedService {
        ListedService {
            territory: "DE".into(),
            provider: "P".into(),
            service_name: "S".into(),
            type_uri: types::CA_QC.into(),
            additional_info: vec![additional_info::FOR_ESEALS.into()],
            identities: vec![vec![1, 2, 3]],
            history: history
                .iter()
                .map(|(s, t)| StatusPeriod {
                    status: (*s).into(),
                    since: *t,
                })
                .collect(),
        }
    }

    #[test]
    fn status_is_read_at_the_time_that_matters() {
        let s = service(&[(status::GRANTED, 100), (status::WITHDRAWN, 200)]);
        assert_eq!(s.status_at(50), None);
        assert_eq!(s.status_at(150).unwrap().status, status::GRANTED);
        assert_eq!(s.status_at(200).unwrap().status, status::WITHDRAWN);
        let dir = ServiceDirectory { services: vec![s] };
        let chain = vec![vec![1, 2, 3]];
        assert!(matches!(
            dir.lookup(&chain, ServiceKind::ESeal, 150),
            Lookup::InGoodStanding { .. }
        ));
        assert!(matches!(
            dir.lookup(&chain, ServiceKind::ESeal, 250),
            Lookup::NotInGoodStanding { .. }
        ));
        assert!(matches!(
            dir.lookup(&chain, ServiceKind::TimeStamping, 150),
            Lookup::WrongKind { .. }
        ));
        assert_eq!(
            dir.lookup(&[vec![9]], ServiceKind::ESeal, 150),
            Lookup::NotListed
        );
    }
}
