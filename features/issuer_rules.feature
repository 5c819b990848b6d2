@eu-jp @http @rules
Feature: Each issuance rule an issuer must enforce, broken one at a time
  The harness plays the wallet. It takes a pre-authorized offer from the university's
  issuer over OpenID4VCI 1.0 and spoils exactly one step: the key proof (its type, algorithm,
  audience, time, nonce, signature or key), the credential request, the access token, the
  transaction code or the pre-authorized code. A conformant issuer refuses each one, issues
  for the unspoiled request ("none"), and binds the credential to the key the wallet proved.
  What is expected follows what the issuer publishes: a proof by a key binding method its
  metadata does not list is refused; without a Nonce Endpoint a proof's nonce may go either
  way. The check names the rule; a wrong accept, a wrong reject, a server error or silence
  fails it.

  Scenario Outline: The EU university's issuer holds each issuance rule
    When the harness, as a wallet, asks the EU university for its credential by the pre-authorized code flow, spoiled by "<mutation>"
    Then the issuer's answer is the one the rule requires

    Examples:
      | mutation                  |
      | none                      |
      | proof-by-did-jwk          |
      | proof-typ-jwt             |
      | proof-alg-none            |
      | proof-hmac                |
      | proof-aud-wrong           |
      | proof-aud-trailing-slash  |
      | proof-iat-future          |
      | proof-iat-old             |
      | proof-nonce-wrong         |
      | proof-nonce-missing       |
      | proof-signature-flipped   |
      | proof-key-named-twice     |
      | proof-private-key         |
      | proof-missing             |
      | unknown-configuration     |
      | access-token-wrong        |
      | tx-code-wrong             |
      | pre-authorized-code-wrong |

  Scenario Outline: The JP university's issuer holds each issuance rule
    When the harness, as a wallet, asks the JP university for its credential by the pre-authorized code flow, spoiled by "<mutation>"
    Then the issuer's answer is the one the rule requires

    Examples:
      | mutation                  |
      | none                      |
      | proof-by-did-jwk          |
      | proof-typ-jwt             |
      | proof-alg-none            |
      | proof-hmac                |
      | proof-aud-wrong           |
      | proof-aud-trailing-slash  |
      | proof-iat-future          |
      | proof-iat-old             |
      | proof-nonce-wrong         |
      | proof-nonce-missing       |
      | proof-signature-flipped   |
      | proof-key-named-twice     |
      | proof-private-key         |
      | proof-missing             |
      | unknown-configuration     |
      | access-token-wrong        |
      | tx-code-wrong             |
      | pre-authorized-code-wrong |
