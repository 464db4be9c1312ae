package dev.engram.http;

import dev.engram.llm.LlmSettings;
import dev.engram.embed.EmbeddingSettings;
import dev.engram.mcp.McpSettings;
import dev.engram.sandbox.SandboxSettings;
import java.nio.file.Path;

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
    LlmSettings llm,
    EmbeddingSettings embedding,
    int chunkTokens,
    long maxUploadBytes,
    Path uploadsDir,
    String staticApiKey,
    long memoryTimeoutMs,
    long bodyReadTimeoutMs,
    McpSettings mcp,
    SandboxSettings tools, MetricsAccess metricsAccess,
    /** Whether users other than the admin may register webhooks on loopback or private addresses. */
    boolean webhookAllowPrivateUrls) {}
