@eu-jp @http @faults
Feature: Faults on purpose: restarts, failing and slow hosts, frozen containers
  The harness breaks things on purpose and records each fault it injects. What a conformant
  implementation must do: a verifier that cannot learn a credential's status fails closed;
  an issuer that lost its state refuses what it no longer knows; a wallet whose issuer fails
  or falls silent ends its attempt within its own time limit, says what failed, keeps nothing
  half-done, and succeeds again once the issuer is back. Faults are lifted when the scenario
  ends.

  Scenario: The issuer restarts mid-issuance: the forgotten offer fails cleanly, a new one succeeds
    Given the EU university has made an offer to the wallet
    When the EU university's issuer restarts
    And the wallet accepts the offer
    Then the wallet's attempt fails cleanly with the issuer's "invalid_grant"
    Given the EU university has issued its diploma to the wallet
    When the JP verifier asks for the claims recognition needs by "direct_post"
    And the wallet presents to the verifier
    Then the verifier accepts the presentation over OpenID4VP

  Scenario Outline: A status-list host that fails makes the verifier fail closed
    Given the EU university has issued its diploma to the wallet
    And the status-list host <fault>
    When the JP verifier asks for the claims recognition needs by "direct_post"
    And the wallet presents to the verifier
    Then the verifier rejects the presentation citing "TSL-8.3-fetch-fail-closed"

    Examples:
      | fault                 |
      | answers 503           |
      | truncates its answers |
      | drops the connection  |

  Scenario: A slow status-list host, still within the verifier's time limit, is waited for
    Given the JP university has issued its degree to the wallet
    And the status-list host answers after 300 ms
    When the EU verifier asks for the claims recognition needs by "direct_post"
    And the wallet presents to the verifier
    Then the verifier accepts the presentation over OpenID4VP

  @containers
  Scenario: A frozen issuer container: the wallet gives up within its time limit, and succeeds once it thaws
    Given the EU university has made an offer to the wallet
    When the EU university's issuer container is paused
    And the wallet accepts the offer
    Then the wallet's attempt fails cleanly, the issuer unreachable
    When the EU university's issuer container is resumed
    Given the EU university has issued its diploma to the wallet
    When the JP verifier asks for the claims recognition needs by "direct_post"
    And the wallet presents to the verifier
    Then the verifier accepts the presentation over OpenID4VP
