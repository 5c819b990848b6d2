@eu-jp @jp-degree
Feature: A Japanese degree judged by an EU verifier
  A university in Japan issues a degree certificate (学位記) as an SD-JWT VC; the holder
  presents it to an admissions office in the EU, which trusts the Japanese list of trusted
  entities under the EU–JP arrangement, never as a qualified (QEAA) provider.

  Scenario: A key-bound presentation of the degree is accepted, recognised and never qualified
    Given the JP university issues its example degree
    When the holder presents "degree, credits, family_name_latin, given_name_latin" to the EU verifier
    Then the EU verifier accepts the presentation
    And the recognition verdict is "recognised"
    And the credential is not treated as qualified

  Scenario: A presentation replayed under a stale nonce is rejected
    Given the JP university issues its example degree
    When the holder presents "degree" to the EU verifier with a stale nonce
    Then the EU verifier rejects it citing "SDJWT-RFC9901-7.3-kb-nonce"

  Scenario: A degree dated in the Japanese era calendar is refused at issuance
    Given the JP university issues its example degree with "awarding_date" set to "令和6年3月25日"
    Then the issuer refuses it citing "PROFILE-JPDEGREE-a-dates"

  Scenario: A disclosure altered after issuance is rejected
    Given the JP university issues its example degree
    When the holder presents "family_name_latin" to the EU verifier after tampering with a disclosure
    Then the EU verifier rejects it citing "SDJWT-RFC9901-7.3-kb-sd-hash"
