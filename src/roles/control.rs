//! The harness's side of the control API: how Accord asks any implementation (its own
//! reference roles or a vendor's adapter) to act. Every call goes through the recording
//! transport, as `harness` → role.

use serde_json::{Value, json};

use crate::transport::{Request, Transport, TransportError};

/// An answer from a control endpoint: HTTP status and JSON body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn ok(&self) -> bool {
        self.status == 200
    }

    /// The role said it does not support the operation (HTTP 501).
    pub fn not_implemented(&self) -> bool {
        self.status == 501
    }
}

/// Calls control APIs.
#[derive(Debug, Clone)]
pub struct ControlClient {
    transport: Transport,
    /// Where the control API is on an implementation's base URL (`/control` by default; a
    /// manifest's `control.base`).
    control_path: String,
    /// The bearer token the implementation's control API requires (a manifest's
    /// `control.token_env`), sent with every call.
    token: Option<String>,
}

impl ControlClient {
    pub fn new(transport: Transport) -> Self {
        Self {
            transport,
            control_path: "/control".to_owned(),
            token: None,
        }
    }

    /// The same client, sending `Authorization: Bearer TOKEN` with every call.
    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.token = token;
        self
    }

    /// The same client, for an implementation whose control API is under `path`.
    pub fn with_control_path(mut self, path: &str) -> Self {
        self.control_path = path.trim_end_matches('/').to_owned();
        self
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    async fn call(&self, to: &str, request: Request) -> Result<Answer, TransportError> {
        let r = self
            .transport
            .send_bearer("harness", to, request, self.token.as_deref())
            .await?;
        let body = serde_json::from_slice(&r.body).unwrap_or_else(|_| Value::String(r.text()));
        Ok(Answer {
            status: r.status,
            body,
        })
    }

    /// `path` is the operation's documented path (`/control/offers`); its `/control` prefix
    /// is replaced by the implementation's control path.
    fn url(&self, base: &str, path: &str) -> String {
        let operation = path.strip_prefix("/control").unwrap_or(path);
        format!(
            "{}{}{operation}",
            base.trim_end_matches('/'),
            self.control_path
        )
    }

    pub async fn health(&self, role: &str, base: &str) -> Result<Answer, TransportError> {
        self.call(role, Request::get(self.url(base, "/control/health")))
            .await
    }

    pub async fn capabilities(&self, role: &str, base: &str) -> Result<Answer, TransportError> {
        self.call(role, Request::get(self.url(base, "/control/capabilities")))
            .await
    }

    /// Issuer: `POST /control/offers`.
    pub async fn create_offer(
        &self,
        issuer: &str,
        options: &Value,
    ) -> Result<Answer, TransportError> {
        self.call(
            "issuer",
            Request::post_json(self.url(issuer, "/control/offers"), options),
        )
        .await
    }

    /// Wallet: `POST /control/offers/accept`.
    pub async fn accept_offer(
        &self,
        wallet: &str,
        offer: &str,
        tx_code: Option<&str>,
    ) -> Result<Answer, TransportError> {
        let mut body = json!({"offer": offer});
        if let Some(tx) = tx_code {
            body["tx_code"] = json!(tx);
        }
        self.call(
            "wallet",
            Request::post_json(self.url(wallet, "/control/offers/accept"), &body),
        )
        .await
    }

    /// Wallet: `POST /control/presentations`.
    pub async fn present(&self, wallet: &str, request: &Value) -> Result<Answer, TransportError> {
        self.call(
            "wallet",
            Request::post_json(self.url(wallet, "/control/presentations"), request),
        )
        .await
    }

    /// Wallet: `GET /control/credentials`.
    pub async fn credentials(&self, wallet: &str) -> Result<Answer, TransportError> {
        self.call(
            "wallet",
            Request::get(self.url(wallet, "/control/credentials")),
        )
        .await
    }

    /// Verifier: `POST /control/requests`.
    pub async fn create_request(
        &self,
        verifier: &str,
        request: &Value,
    ) -> Result<Answer, TransportError> {
        self.call(
            "verifier",
            Request::post_json(self.url(verifier, "/control/requests"), request),
        )
        .await
    }

    /// Verifier: `POST /control/seals`: judge a sealed or signed document (JAdES, PAdES)
    /// against the trusted lists the verifier reads and its arrangement.
    pub async fn judge_seal(&self, verifier: &str, body: &Value) -> Result<Answer, TransportError> {
        self.call(
            "verifier",
            Request::post_json(self.url(verifier, "/control/seals"), body),
        )
        .await
    }

    /// Verifier: `POST /control/recognitions`, an academic credential handed over as a file.
    pub async fn judge_recognition(
        &self,
        verifier: &str,
        body: &Value,
    ) -> Result<Answer, TransportError> {
        self.call(
            "verifier",
            Request::post_json(self.url(verifier, "/control/recognitions"), body),
        )
        .await
    }

    /// Verifier: `GET /control/requests/{id}`.
    pub async fn result(&self, verifier: &str, id: &str) -> Result<Answer, TransportError> {
        self.call(
            "verifier",
            Request::get(self.url(verifier, &format!("/control/requests/{id}"))),
        )
        .await
    }

    /// Status-list host: `POST /control/status`.
    pub async fn set_status(
        &self,
        host: &str,
        list: &str,
        idx: u64,
        status: &str,
    ) -> Result<Answer, TransportError> {
        let body = json!({"list": list, "idx": idx, "status": status});
        self.call(
            "status-list",
            Request::post_json(self.url(host, "/control/status"), &body),
        )
        .await
    }

    /// Trust-list host: `PUT /control/lists/{jurisdiction}`.
    pub async fn publish_trust_list(
        &self,
        host: &str,
        jurisdiction: &str,
        token: &str,
    ) -> Result<Answer, TransportError> {
        self.call(
            "trust-list",
            Request::put_json(
                self.url(host, &format!("/control/lists/{jurisdiction}")),
                &json!({"token": token}),
            ),
        )
        .await
    }

    /// Trust-list host: `PUT /control/xml/{file}` with an XML trusted list as the body.
    pub async fn publish_xml_list(
        &self,
        host: &str,
        file: &str,
        xml: &str,
    ) -> Result<Answer, TransportError> {
        self.call(
            "trust-list",
            Request {
                method: "PUT".into(),
                url: self.url(host, &format!("/control/xml/{file}")),
                headers: vec![(
                    "content-type".into(),
                    crate::trust::etsi_tl::TL_MIME_TYPE.into(),
                )],
                body: xml.as_bytes().to_vec(),
            },
        )
        .await
    }

    /// TSA or trust-list host: `PUT /control/fault` with a fault's name, or `None` to behave.
    pub async fn set_fault(
        &self,
        role: &str,
        base: &str,
        fault: Option<&str>,
    ) -> Result<Answer, TransportError> {
        self.call(
            role,
            Request::put_json(self.url(base, "/control/fault"), &json!({"fault": fault})),
        )
        .await
    }
}
