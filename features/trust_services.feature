@eu-jp @http @trust-services
Feature: Seals, signed PDFs and time-stamps judged through ETSI trusted lists
  A university seals its diploma (JAdES, ETSI TS 119 182-1) or signs its degree certificate
  as a PDF (PAdES, EN 319 142-1), time-stamped by a TSA (RFC 3161). The trust-list host
  publishes the EU List of the Lists and the DE, FR and JP lists (ETSI TS 119 612 XML, each
  signed with enveloped XAdES; the JP list is Accord's proposal, as Japan publishes none).
  A verifier of each side reads the lists over HTTP, judges the document as EN 319 102-1
  orders it (TOTAL-PASSED, TOTAL-FAILED or INDETERMINATE, with the sub-indication), and
  says whether its side recognises the trust service under the EU-JP arrangement.
  A sealed document has no carriage in OpenID4VCI or OpenID4VP: it is handed to the
  verifier as a file, through its control API.

  Scenario: A German university's qualified seal is recognised in the EU as qualified
    Given "Universität Beispiel" seals its diploma as JAdES LTA on 2026-03-02
    When the EU verifier judges the seal
    Then the seal's indication is "TOTAL-PASSED" citing "ADES-EN319102-5.2.6-trust-service"
    And the seal's time-stamp indication is "TOTAL-PASSED"
    And the seal is recognised as "qualified"

  Scenario: A German university's qualified seal is recognised in Japan as equivalent, never as accredited
    Given "Universität Beispiel" seals its diploma as JAdES T on 2026-03-02
    When the JP verifier judges the seal
    Then the seal's indication is "TOTAL-PASSED" citing "ADES-EN319102-5.2.6-trust-service"
    And the seal is recognised as "recognised-equivalent"

  Scenario: A seal made before its provider's service was withdrawn stays valid, by the service history
    Given "Hochschule Widerruf" seals its diploma as JAdES T on 2026-03-02
    When the EU verifier judges the seal
    Then the seal's indication is "TOTAL-PASSED" citing "ADES-EN319102-5.6.2.4-past-signature"

  Scenario: A seal made after its provider's service was withdrawn is not valid
    Given "Hochschule Widerruf" seals its diploma as JAdES T on 2026-07-01
    When the EU verifier judges the seal
    Then the seal's indication is "TOTAL-FAILED/REVOKED" citing "ADES-EN319102-5.2.6-trust-service"

  Scenario: A time-stamp from a TSA on no list proves nothing
    Given "Universität Beispiel" seals its diploma as JAdES T on 2026-03-02 time-stamped by a TSA on no list
    When the EU verifier judges the seal requiring level T
    Then the seal's time-stamp indication is "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"
    And the seal's indication is "INDETERMINATE/SIG_CONSTRAINTS_FAILURE" citing "ADES-EN319102-5.4-timestamp"

  Scenario: A JAdES seal whose x5t#S256 names another certificate has no signing certificate
    Given "Universität Beispiel" seals its diploma as JAdES B on 2026-03-02 naming another certificate in x5t#S256
    When the JP verifier judges the seal
    Then the seal's indication is "INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND" citing "JADES-TS119182-5.1.7-x5t-s256"

  Scenario: A Japanese degree certificate signed as PDF is recognised in the EU as equivalent
    Given the JP university signs its degree certificate as PAdES LTA on 2026-03-02
    When the EU verifier judges the PDF
    Then the seal's indication is "TOTAL-PASSED" citing "ADES-EN319102-5.2.6-trust-service"
    And the seal is recognised as "recognised-equivalent"

  Scenario: A PDF whose page changed in an incremental update after signing fails
    Given the JP university signs its degree certificate as PAdES T on 2026-03-02
    And the PDF's page is changed in an incremental update after signing
    When the JP verifier judges the PDF
    Then the seal's indication is "TOTAL-FAILED/HASH_FAILURE" citing "PADES-EN319142-5.4.1-no-modification"

  Scenario: A PDF that only gains validation data after signing stays valid
    Given the JP university signs its degree certificate as PAdES T on 2026-03-02
    And the PDF gains validation data in an incremental update after signing
    When the JP verifier judges the PDF
    Then the seal's indication is "TOTAL-PASSED" citing "PADES-EN319142-5.4.1-no-modification"

  Scenario: A LOTL signed by a key the previous LOTL never pinned is refused, and no list is read through it
    Given "Universität Beispiel" seals its diploma as JAdES T on 2026-03-02
    And the trust-list host publishes the LOTL signed by its operator's new key
    When the EU verifier judges the seal
    Then the verifier refused the LOTL list citing "TL-TS119612-5.3.13-pinned-signer"
    And the seal's indication is "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND" citing "ADES-EN319102-5.2.6-trust-service"

  Scenario: A national list signed by a key its LOTL pointer does not pin is refused
    Given "Universität Beispiel" seals its diploma as JAdES T on 2026-03-02
    And the trust-list host publishes the DE list signed by a key the LOTL does not pin
    When the JP verifier judges the seal
    Then the verifier refused the DE list citing "TL-TS119612-5.3.13-pinned-signer"
    And the seal's indication is "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND" citing "ADES-EN319102-5.2.6-trust-service"

  Scenario: A list past its next update is not relied on
    Given "Université Exemple" seals its diploma as JAdES T on 2026-03-02
    And the trust-list host publishes the FR list past its next update
    When the EU verifier judges the seal
    Then the verifier refused the FR list citing "TL-TS119612-5.3.15-next-update"
    And the seal's indication is "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND" citing "ADES-EN319102-5.2.6-trust-service"
