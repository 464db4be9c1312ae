package dev.engram.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The agent save runs at every step: it must stay prepared on its connection. The PG client keeps only statements up
 * to the configured length; a longer one is parsed and planned each time (it doubled PostgreSQL's CPU per step).
 */
class PreparedStatementsTest {
  @Test
  @DisplayName("the agent save fits the prepared-statement cache")
  void saveStaysPrepared() {
    assertTrue(AgentRepository.SAVE_AGENT.length() < DatabaseLauncher.PREPARED_SQL_LIMIT,
        AgentRepository.SAVE_AGENT.length() + " characters");
  }
}
