package dev.engram.model;

/** An agent with the sizes of its recall and archival memory, as listings show it. */
public record AgentSummary(Agent agent, long recallCount, long archivalCount) {}
