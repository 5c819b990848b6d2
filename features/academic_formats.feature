@eu-jp @http @trust-services @formats
Feature: The credentials universities issue today, recognised across formats
  Universities issue Europass Digital Credentials sealed with JAdES, signed PDF certificates
  (学位記) and Open Badges 3.0 micro-credentials, not only SD-JWT VCs. A verifier of the other
  side judges each one: its own seal, signature or proof first (seals and signed PDFs through
  the ETSI trusted lists and the EU-JP arrangement), then what it says through the same
  crosswalk as an SD-JWT VC. The verdict is the same type for every format, the format
  recorded beside it.
  These credentials are handed to the verifier as files, through its control API: a sealed
  EDC and a signed PDF have no carriage in OpenID4VCI or OpenID4VP, and Accord's reference
  roles do not yet carry Open Badges over the protocols (jwt_vc_json, ldp_vc).

  Scenario: A sealed Europass master's degree is recognised in Japan as a master's
    Given "Universität Beispiel" issues a Europass master's degree at EQF level 7 sealed as JAdES T on 2026-03-02
    When the JP verifier judges the credential handed over as a file
    Then the recognition verdict is "recognised" for "edc+jades" citing "MRA-EUJP-b-authentic-first"
    And the equivalent is "修士相当" citing "MRA-EUJP-b-level"

  Scenario: A Europass degree whose seal verifies, made after its provider lost its qualified status, is not recognised
    Given "Hochschule Widerruf" issues a Europass master's degree at EQF level 7 sealed as JAdES T on 2026-07-01
    When the JP verifier judges the credential handed over as a file
    Then the credential's own layer does not hold, citing "ADES-EN319102-5.6.2.4-past-signature"
    And the recognition verdict is "not-recognised" for "edc+jades" citing "MRA-EUJP-b-authentic-first"

  Scenario: A Europass credential at EQF level 4 has no Japanese degree as its counterpart
    Given "Université Exemple" issues a Europass master's degree at EQF level 4 sealed as JAdES T on 2026-03-02
    When the JP verifier judges the credential handed over as a file
    Then the recognition verdict is "not-recognised" for "edc+jades" citing "MRA-EUJP-b-level"

  Scenario: A Japanese PDF degree certificate with its degree data is recognised in the EU
    Given the JP university signs its degree certificate as PAdES T on 2026-03-02 with its degree data
    When the EU verifier judges the PDF handed over as a file
    Then the recognition verdict is "recognised" for "pdf+pades" citing "MRA-EUJP-b-pdf-degree-data"
    And the equivalent is "EQF 6 (QF-EHEA first cycle)" citing "MRA-EUJP-b-level"

  Scenario: A Japanese PDF degree certificate without degree data is for a person to read
    Given the JP university signs its degree certificate as PAdES T on 2026-03-02
    When the EU verifier judges the PDF handed over as a file
    Then the recognition verdict is "not-machine-readable" for "pdf+pades" citing "MRA-EUJP-b-pdf-degree-data"

  Scenario: A PDF degree certificate altered by an incremental update after signing is not recognised
    Given the JP university signs its degree certificate as PAdES T on 2026-03-02 with its degree data
    And the PDF's page is changed in an incremental update after signing
    When the EU verifier judges the PDF handed over as a file
    Then the credential's own layer does not hold, citing "PADES-EN319142-5.4.1-no-modification"
    And the recognition verdict is "not-recognised" for "pdf+pades" citing "MRA-EUJP-b-authentic-first"

  Scenario: A European micro-credential with a Data Integrity proof is a certificate programme in Japan
    Given "Universiteit Dijleland" of BE issues its micro-credential as an Open Badge ldp_vc
    When the JP verifier judges the badge handed over as a file
    Then the recognition verdict is "recognised-with-review" for "ldp_vc" citing "MC-EU-Annex-I-mandatory-elements"
    And the equivalent is "履修証明プログラム相当" citing "MRA-EUJP-b-micro-credential-counterpart"

  Scenario: A Japanese micro-credential as a VC-JWT is read against the EU micro-credential elements
    Given "浪速理工大学" of JP issues its micro-credential as an Open Badge jwt_vc_json
    When the EU verifier judges the badge handed over as a file
    Then the recognition verdict is "recognised-with-review" for "jwt_vc_json" citing "MC-EU-Annex-I-mandatory-elements"
    And the equivalent is "EU micro-credential (Council Recommendation 2022/C 243/02)" citing "MC-EU-Annex-I-mandatory-elements"

  Scenario: A badge whose issuer profile is not the JWT's issuer is not recognised
    Given "浪速理工大学" of JP issues its micro-credential as an Open Badge jwt_vc_json whose JWT iss is not its issuer profile
    When the EU verifier judges the badge handed over as a file
    Then the credential's own layer does not hold, citing "OB3-8.2-required-claims"
    And the recognition verdict is "not-recognised" for "jwt_vc_json" citing "MRA-EUJP-b-authentic-first"

  Scenario: A badge whose context changed after signing fails its proof
    Given "Universiteit Dijleland" of BE issues its micro-credential as an Open Badge ldp_vc whose context is changed after signing
    When the JP verifier judges the badge handed over as a file
    Then the credential's own layer does not hold, citing "DI-EDDSA-3.2.7-signature"
    And the recognition verdict is "not-recognised" for "ldp_vc" citing "MRA-EUJP-b-authentic-first"
