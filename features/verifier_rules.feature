@eu-jp @http @rules
Feature: Each presentation rule a verifier must enforce, broken one at a time
  The harness plays the wallet. It asks the verifier under test for a request over OpenID4VP,
  presents a credential that breaks exactly one rule of SD-JWT (RFC 9901), SD-JWT VC, HAIP,
  JOSE, Token Status List or the EU-JP profile (validly signed over, so only that rule is at
  stake) and reads the verdict. It answers by direct_post, or, to a verifier that declares
  only direct_post.jwt, encrypted to the key of the verifier's request (OpenID4VP 8.3). A
  conformant verifier rejects each one and accepts the unspoiled presentation ("none") and
  the one whose disclosures escape their kanji as \uXXXX (digests are over the bytes
  received). The check names the rule; a wrong accept, a wrong reject, a server error or
  silence fails it. The status-list rules have scenarios of their own, with the cell's
  status-list host; `accord fuzz` varies the lists themselves.

  Scenario Outline: A verifier in Japan holds an EU diploma to each presentation rule
    When the harness presents the EU diploma to the JP verifier, spoiled by "<mutation>"
    Then the verifier's verdict is the one the rule requires

    Examples:
      | mutation                   |
      | none                       |
      | issuer-signature-flipped   |
      | disclosure-tampered        |
      | duplicate-disclosure       |
      | duplicate-digest           |
      | disclosure-withheld        |
      | unreferenced-disclosure    |
      | registered-claim-disclosed |
      | kb-nonce-wrong             |
      | kb-aud-wrong               |
      | kb-sd-hash-wrong           |
      | kb-missing                 |
      | issuer-typ-jwt             |
      | kb-typ-jwt                 |
      | alg-none                   |
      | hmac-with-public-key       |
      | expired                    |
      | not-yet-valid              |
      | kb-iat-future              |
      | kb-too-old                 |
      | x5c-root-included          |
      | x5c-out-of-order           |
      | kanji-escaped              |
      | names-nfd                  |
      | era-date                   |
      | padded-base64              |
      | standard-base64            |

  Scenario Outline: A verifier in the EU holds a JP degree to each presentation rule
    When the harness presents the JP degree to the EU verifier, spoiled by "<mutation>"
    Then the verifier's verdict is the one the rule requires

    Examples:
      | mutation                   |
      | none                       |
      | issuer-signature-flipped   |
      | disclosure-tampered        |
      | duplicate-disclosure       |
      | duplicate-digest           |
      | disclosure-withheld        |
      | unreferenced-disclosure    |
      | registered-claim-disclosed |
      | kb-nonce-wrong             |
      | kb-aud-wrong               |
      | kb-sd-hash-wrong           |
      | kb-missing                 |
      | issuer-typ-jwt             |
      | kb-typ-jwt                 |
      | alg-none                   |
      | hmac-with-public-key       |
      | expired                    |
      | not-yet-valid              |
      | kb-iat-future              |
      | kb-too-old                 |
      | x5c-root-included          |
      | x5c-out-of-order           |
      | kanji-escaped              |
      | names-nfd                  |
      | era-date                   |
      | padded-base64              |
      | standard-base64            |
