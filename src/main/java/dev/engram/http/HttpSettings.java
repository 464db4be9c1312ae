package dev.engram.http;

import dev.engram.agent.llm.LlmSettings;

/** The HTTP verticle's slice of the configuration. */
public record HttpSettings(
    String host,
    int port,
    boolean useSsl,
    String sslCertPath,
    String sslKeyPath,
    long maxBodyBytes,
    String adminPassword,
    String jwtSecret,
    long jwtTtlSeconds,
    int agentShards,
    long stepTimeoutMs,
    LlmSettings llm) {}
