@eu-jp @eu-diploma
Feature: An EU diploma judged by a Japanese verifier
  A university in the EU issues an SD-JWT VC diploma; the holder presents it with key
  binding to an admissions office in Japan, which checks it against the trust lists the
  EU–JP arrangement names and maps it onto Japanese degree levels.

  Scenario: A key-bound presentation of the diploma is accepted and recognised
    Given the EU university issues its example diploma
    When the holder presents "qualification, family_name, given_name" to the JP verifier
    Then the JP verifier accepts the presentation
    And the recognition verdict is "recognised"
    And the credential is not treated as qualified

  Scenario: A presentation replayed under a stale nonce is rejected
    Given the EU university issues its example diploma
    When the holder presents "family_name" to the JP verifier with a stale nonce
    Then the JP verifier rejects it citing "SDJWT-RFC9901-7.3-kb-nonce"

  Scenario: A presentation bound to another verifier is rejected
    Given the EU university issues its example diploma
    When the holder presents "qualification" to the JP verifier bound to another verifier
    Then the JP verifier rejects it citing "SDJWT-RFC9901-7.3-kb-aud"

  Scenario: A disclosure altered after issuance is rejected
    Given the EU university issues its example diploma
    When the holder presents "family_name" to the JP verifier after tampering with a disclosure
    Then the JP verifier rejects it citing "SDJWT-RFC9901-7.3-kb-sd-hash"

  Scenario: A diploma claiming EQF level 9 is refused at issuance
    Given the EU university issues its example diploma with "qualification.eqf_level" set to 9
    Then the issuer refuses it citing "PROFILE-EUDIPLOMA-a-eqf"
