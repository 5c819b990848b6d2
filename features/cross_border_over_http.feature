@eu-jp @http
Feature: Cross-border issuance and presentation over OpenID4VCI and OpenID4VP
  The reference roles run in-process on loopback and talk real HTTP: a university issues
  its credential into the wallet over OpenID4VCI 1.0, and an admissions office on the other
  side asks for it over OpenID4VP 1.0 with a DCQL query naming only what recognition needs.
  Every exchange is recorded in the run's event log.

  Scenario: An EU diploma issued with a transaction code is presented encrypted to a JP verifier
    Given the EU university has issued its diploma to the wallet with a transaction code
    When the JP verifier asks for the claims recognition needs by "direct_post.jwt"
    And the wallet presents to the verifier
    Then the verifier accepts the presentation over OpenID4VP
    And only the requested claims were disclosed
    And the recognition verdict over OpenID4VP is "recognised"

  Scenario: A JP degree issued by the authorization code flow is recognised in the EU, never as qualified
    Given the JP university has issued its degree to the wallet by the authorization code flow
    When the EU verifier asks for the claims recognition needs by "direct_post"
    And the wallet presents to the verifier
    Then the verifier accepts the presentation over OpenID4VP
    And only the requested claims were disclosed
    And the recognition verdict over OpenID4VP is "recognised"
    And the credential was not treated as qualified

  Scenario: A JP degree is presented encrypted to an EU verifier
    Given the JP university has issued its degree to the wallet
    When the EU verifier asks for the claims recognition needs by "direct_post.jwt"
    And the wallet presents to the verifier
    Then the verifier accepts the presentation over OpenID4VP
    And only the requested claims were disclosed

  Scenario Outline: A presentation the wallet spoiled is rejected with the requirement it breaks
    Given the EU university has issued its diploma to the wallet
    When the JP verifier asks for the claims recognition needs by "<mode>"
    And the wallet presents to the verifier misbehaving as "<fault>"
    Then the verifier rejects the presentation citing "<requirement>"

    Examples:
      | fault               | mode            | requirement                    |
      | wrong-nonce         | direct_post     | SDJWT-RFC9901-7.3-kb-nonce     |
      | wrong-audience      | direct_post.jwt | SDJWT-RFC9901-7.3-kb-aud       |
      | tampered-disclosure | direct_post     | SDJWT-RFC9901-7.3-kb-sd-hash   |
      | missing-sd-hash     | direct_post     | SDJWT-RFC9901-7.3-kb-sd-hash   |
      | unadvertised-enc    | direct_post.jwt | OID4VP-8.3-encrypted-response  |
      | plaintext-response  | direct_post.jwt | OID4VP-8.3.1-direct-post-jwt   |

  Scenario: A presentation replayed to a new request is rejected
    Given the JP university has issued its degree to the wallet
    When the EU verifier asks for the claims recognition needs by "direct_post"
    And the wallet presents to the verifier
    And the same presentation is replayed to a new request of the verifier
    Then the verifier rejects the presentation citing "SDJWT-RFC9901-7.3-kb-nonce"

  Scenario: A revoked diploma is rejected
    Given the EU university has issued its diploma to the wallet by reference
    And the EU university revokes it
    When the JP verifier asks for the claims recognition needs by "direct_post"
    And the wallet presents to the verifier
    Then the verifier rejects the presentation citing "TSL-7.1-status-values"

  Scenario: A diploma from a university the EU list no longer names is rejected
    Given the EU university has issued its diploma to the wallet
    And the EU trust list no longer lists the university
    When the JP verifier asks for the claims recognition needs by "direct_post"
    And the wallet presents to the verifier
    Then the verifier rejects the presentation citing "X509-RFC5280-6.1-path-to-anchor"

  Scenario: A JP degree claimed as qualified in the EU is rejected
    Given the JP university has issued its degree to the wallet
    And the JP trust list lists the university as a qualified provider
    When the EU verifier asks for the claims recognition needs by "direct_post.jwt"
    And the wallet presents to the verifier
    Then the verifier rejects the presentation citing "MRA-EUJP-c-jp-not-qeaa"

  Scenario Outline: The wallet refuses a request that breaks a MUST
    Given the EU university has issued its diploma to the wallet
    When the JP verifier asks for the claims recognition needs by "direct_post" <variant>
    And the wallet presents to the verifier
    Then the wallet refuses the request citing "<requirement>"

    Examples:
      | variant                          | requirement                           |
      | with an expired request object   | OAUTH-RFC9101-6.3-request-object-exp  |
      | with a mismatched client_id      | OAUTH-RFC9101-5-client-id             |
      | with an untyped request object   | OID4VP-5-request-object-typ           |
      | with transaction data            | OID4VP-5.1-transaction-data           |

  Scenario: A European micro-credential travels as jwt_vc_json and is a certificate programme in Japan
    Given the EU university has issued its micro-credential as jwt_vc_json to the wallet
    When the JP verifier asks for the micro-credential as jwt_vc_json by "direct_post.jwt"
    And the wallet presents to the verifier
    Then the verifier accepts the presentation over OpenID4VP
    And the recognition verdict over OpenID4VP is "recognised-with-review" for "jwt_vc_json"

  Scenario: A Japanese micro-credential travels as jwt_vc_json by the authorization code flow to an EU verifier
    Given the JP university has issued its micro-credential as jwt_vc_json to the wallet by the authorization code flow
    When the EU verifier asks for the micro-credential as jwt_vc_json by "direct_post"
    And the wallet presents to the verifier
    Then the verifier accepts the presentation over OpenID4VP
    And the recognition verdict over OpenID4VP is "recognised-with-review" for "jwt_vc_json"

  Scenario Outline: A jwt_vc_json presentation the wallet spoiled is rejected with the requirement it breaks
    Given the EU university has issued its micro-credential as jwt_vc_json to the wallet
    When the JP verifier asks for the micro-credential as jwt_vc_json by "direct_post"
    And the wallet presents to the verifier misbehaving as "<fault>"
    Then the verifier rejects the presentation citing "OID4VP-B.1.3.1.5-holder-binding"

    Examples:
      | fault          |
      | wrong-nonce    |
      | wrong-audience |
