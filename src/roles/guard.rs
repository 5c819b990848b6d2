//! The control API's guard: only the harness (or whoever holds the role's token) may drive a
//! reference role (issue 17, item 5).
//!
//! A role's control API makes it act: a wallet presents its credentials to whatever request
//! it is given. Left open, a web page in the browser of a developer running
//! `accord serve wallet` could drive it by a cross-origin `text/plain` POST (CSRF) or by
//! rebinding a name of its own to loopback (DNS rebinding). This middleware, layered on every
//! role by [`super::serve`], checks each request under `/control/` in this order:
//!
//! 1. **Host** (`421`): the `Host` must name the role: loopback (`localhost`, `127.0.0.0/8`,
//!    `::1`), its bound address, its TLS host (`wallet.accord.test`), the host of its public
//!    URL, or a name given to [`ControlAccess::hosts`]. DNS rebinding needs a name the
//!    attacker controls, which is none of these. The port is not compared: a browser reaches
//!    the role only on its real port, and behind a published container port the client's
//!    port differs from the bound one legitimately.
//! 2. **Origin** (`403`): a request with an `Origin` must come from the role's own origin,
//!    and one with `Sec-Fetch-Site` must be `same-origin` or `none` (typed by the user).
//!    Requests without them (every non-browser client) pass.
//! 3. **Token** (`401`, `WWW-Authenticate: Bearer`): when the role has one
//!    (`accord serve --control-token` or `ACCORD_CONTROL_TOKEN`), `Authorization: Bearer`
//!    must carry it, compared in constant time.
//! 4. **Content type** (`415`): a call with a body method (`POST`, `PUT`, `PATCH`, `DELETE`)
//!    must be `application/json`, which a page cannot send cross-origin without a CORS
//!    preflight the roles never grant.
//! 5. **Body size** (`413`): [`super::bounds::control_body_limit`].
//!
//! `GET /control/health` is exempt from all of it: a readiness probe (Docker's, the
//! harness's before it knows the token) reads nothing and changes nothing. The protocol
//! endpoints (OpenID4VCI, OpenID4VP, the status and trust lists) are not guarded: they are
//! meant to be reached by anyone, and their inputs are checked by the protocol code.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::bounds::control_body_limit;
use super::{json_response, media_type};

/// Who may drive a role's control API besides the checks every role applies: a bearer token,
/// and host names it is reached by that it cannot know itself (a compose service name).
#[derive(Clone, Default)]
pub struct ControlAccess {
    /// The bearer token every control call (but health) must carry; none when `None`.
    pub token: Option<String>,
    /// Further names the `Host` header may carry.
    pub hosts: Vec<String>,
}

impl std::fmt::Debug for ControlAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token itself: listens are logged in errors.
        f.debug_struct("ControlAccess")
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("hosts", &self.hosts)
            .finish()
    }
}

impl ControlAccess {
    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.token = token.filter(|t| !t.is_empty());
        self
    }
}

/// What the guard of one listening role admits.
pub struct Guard {
    /// Host names admitted (lower case, no port, no trailing dot).
    hosts: Vec<String>,
    /// The bound address is unspecified (`0.0.0.0`): any IP literal names the role (its
    /// interfaces are not known here), and an IP literal cannot be rebound.
    any_ip: bool,
    bound_ip: IpAddr,
    /// Origins admitted, in their ASCII serialisation.
    origins: Vec<String>,
    /// SHA-256 of the token, so the comparison takes the same time whatever the length.
    token: Option<Vec<u8>>,
}

impl Guard {
    /// The guard of a role bound to `addr`, reached at `base_url`, serving TLS as `tls_host`.
    pub fn new(
        addr: SocketAddr,
        base_url: &str,
        tls_host: Option<&str>,
        access: &ControlAccess,
    ) -> Self {
        let mut hosts: Vec<String> = vec!["localhost".to_owned()];
        let base = url::Url::parse(base_url).ok();
        if let Some(h) = base.as_ref().and_then(|u| u.host_str()) {
            hosts.push(normalise_host(h));
        }
        if let Some(h) = tls_host {
            hosts.push(normalise_host(h));
        }
        hosts.extend(access.hosts.iter().map(|h| normalise_host(h)));
        hosts.sort();
        hosts.dedup();
        let scheme = if tls_host.is_some() { "https" } else { "http" };
        let port = addr.port();
        let mut origins: Vec<String> = Vec::new();
        if let Some(u) = &base {
            origins.push(u.origin().ascii_serialization());
        }
        let mut names: Vec<String> = hosts.clone();
        names.push("127.0.0.1".to_owned());
        names.push("[::1]".to_owned());
        if !addr.ip().is_unspecified() {
            names.push(match addr.ip() {
                IpAddr::V4(ip) => ip.to_string(),
                IpAddr::V6(ip) => format!("[{ip}]"),
            });
        }
        for name in names {
            if let Ok(u) = url::Url::parse(&format!("{scheme}://{name}:{port}")) {
                origins.push(u.origin().ascii_serialization());
            }
        }
        origins.sort();
        origins.dedup();
        Self {
            hosts,
            any_ip: addr.ip().is_unspecified(),
            bound_ip: addr.ip(),
            origins,
            token: access.token.as_deref().map(digest),
        }
    }

    /// Whether a `Host` header value names this role.
    pub fn admits_host(&self, value: &str) -> bool {
        let name = host_name(value);
        if name.is_empty() {
            return false;
        }
        if let Ok(ip) = name.parse::<IpAddr>() {
            return ip.is_loopback() || ip == self.bound_ip || self.any_ip;
        }
        self.hosts.contains(&name)
    }

    /// Whether an `Origin` header value is this role's own.
    pub fn admits_origin(&self, value: &str) -> bool {
        url::Url::parse(value)
            .map(|u| u.origin().ascii_serialization())
            .is_ok_and(|o| self.origins.contains(&o))
    }

    fn admits_token(&self, authorization: Option<&str>) -> bool {
        let Some(expected) = &self.token else {
            return true;
        };
        let Some(given) = authorization.and_then(|a| {
            let (scheme, rest) = a.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        }) else {
            return false;
        };
        aws_lc_rs::constant_time::verify_slices_are_equal(expected, &digest(given)).is_ok()
    }
}

fn digest(token: &str) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes())
        .as_ref()
        .to_vec()
}

fn normalise_host(h: &str) -> String {
    h.trim_end_matches('.')
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// The name of a `Host` value without its port (`[::1]:80` → `::1`).
fn host_name(value: &str) -> String {
    let value = value.trim();
    let name = if let Some(rest) = value.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        match value.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => value,
        }
    };
    normalise_host(name)
}

fn refuse(status: u16, error: &str, detail: &str) -> Response {
    json_response(status, &json!({"error": error, "detail": detail}))
}

/// The middleware (see the module documentation for the checks and their order).
pub async fn check(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !(path == "/control" || path.starts_with("/control/")) {
        return next.run(request).await;
    }
    if request.method() == Method::GET && path == "/control/health" {
        return next.run(request).await;
    }
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    match host {
        None => {
            return refuse(
                400,
                "missing_host",
                "a control call must carry a Host header",
            );
        }
        Some(h) if !guard.admits_host(&h) => {
            // RFC 9110 §15.5.20: 421 for a request the server is not configured to answer
            // for that authority.
            return refuse(
                421,
                "misdirected_request",
                &format!(
                    "{h:?} does not name this role; the control API answers only to its own names"
                ),
            );
        }
        Some(_) => {}
    }
    if let Some(origin) = headers.get(header::ORIGIN)
        && !origin.to_str().is_ok_and(|o| guard.admits_origin(o))
    {
        return refuse(
            403,
            "cross_origin",
            "the control API refuses calls from another origin",
        );
    }
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.to_str(), Ok("same-origin" | "none"))
    {
        return refuse(
            403,
            "cross_origin",
            "the control API refuses calls from another site",
        );
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !guard.admits_token(authorization) {
        let mut r = refuse(
            401,
            "unauthorized",
            "this role's control API needs Authorization: Bearer <its control token>",
        );
        // RFC 6750 §3: a request without (valid) credentials gets the challenge.
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"accord-control\""),
        );
        return r;
    }
    let has_body = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    // Publishing an XML trusted list takes the list itself, as a scheme operator serves it.
    let expected = if path.starts_with("/control/xml/") {
        crate::trust::etsi_tl::TL_MIME_TYPE
    } else {
        "application/json"
    };
    if has_body && media_type(headers) != expected {
        return refuse(
            415,
            "unsupported_media_type",
            if path.starts_with("/control/xml/") {
                "PUT /control/xml/{file} takes application/vnd.etsi.tsl+xml"
            } else {
                "control calls take application/json"
            },
        );
    }
    let limit = control_body_limit(path);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return refuse(
            413,
            "payload_too_large",
            &format!("a control call's body is at most {limit} bytes"),
        );
    }
    // A body without a length (chunked) is cut at the limit as it is read; axum's extractor
    // answers 413 for it.
    let (parts, body) = request.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(addr: &str, base: &str, tls: Option<&str>, token: Option<&str>) -> Guard {
        Guard::new(
            addr.parse().unwrap(),
            base,
            tls,
            &ControlAccess::default().with_token(token.map(str::to_owned)),
        )
    }

    #[test]
    fn hosts_naming_the_role_are_admitted_and_others_not() {
        let g = guard(
            "127.0.0.1:4000",
            "https://wallet.accord.test:4000",
            Some("wallet.accord.test"),
            None,
        );
        for ok in [
            "wallet.accord.test:4000",
            "WALLET.accord.test.",
            "127.0.0.1:4000",
            "127.0.0.2",
            "localhost:4000",
            "[::1]:4000",
        ] {
            assert!(g.admits_host(ok), "{ok}");
        }
        for bad in [
            "attacker.example:4000",
            "wallet.accord.test.attacker.example",
            "10.0.0.5:4000",
            "",
        ] {
            assert!(!g.admits_host(bad), "{bad}");
        }
    }

    #[test]
    fn an_unspecified_bind_admits_ip_literals_but_not_foreign_names() {
        let g = guard("0.0.0.0:8080", "http://issuer:8080", None, None);
        assert!(g.admits_host("172.18.0.3:8080"));
        assert!(g.admits_host("issuer:8080"));
        assert!(!g.admits_host("rebind.attacker.example:8080"));
    }

    #[test]
    fn only_the_roles_own_origin_is_admitted() {
        let g = guard(
            "127.0.0.1:4000",
            "https://wallet.accord.test:4000",
            Some("wallet.accord.test"),
            None,
        );
        assert!(g.admits_origin("https://wallet.accord.test:4000"));
        assert!(g.admits_origin("https://localhost:4000"));
        assert!(!g.admits_origin("http://localhost:3000"));
        assert!(!g.admits_origin("https://attacker.example"));
        assert!(!g.admits_origin("null"));
    }

    #[test]
    fn the_token_is_compared_whole() {
        let g = guard("127.0.0.1:1", "http://127.0.0.1:1", None, Some("s3cret"));
        assert!(g.admits_token(Some("Bearer s3cret")));
        assert!(g.admits_token(Some("bearer s3cret")));
        assert!(!g.admits_token(Some("Bearer s3cre")));
        assert!(!g.admits_token(Some("Basic s3cret")));
        assert!(!g.admits_token(None));
        let open = guard("127.0.0.1:1", "http://127.0.0.1:1", None, None);
        assert!(open.admits_token(None));
    }
}
