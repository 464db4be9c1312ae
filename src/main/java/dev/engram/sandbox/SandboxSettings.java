package dev.engram.sandbox;

/**
 * The tool sandbox's configuration. {@code python}: the interpreter the tools run on (null: /usr/bin/python3, else
 * python3 on the PATH; it must be readable by the sandbox's user). {@code poolSize}: how many calls run at once, each
 * in its own warm sandboxed process started on first need; {@code maxWaiting}: how many more calls may queue for a
 * slot before a call fails as busy. {@code defaults}: the limits of a call whose tool sets none.
 * {@code allowNetwork} ({@code TOOL_ALLOW_NETWORK}): whether users may mark their tools {@code allow_network} at all;
 * off by default, so no user's tool can open a connection unless the operator chose so.
 */
public record SandboxSettings(String python, int poolSize, int maxWaiting, Limits defaults, boolean allowNetwork) {

  public static final int DEFAULT_POOL_SIZE = 8;
  public static final int DEFAULT_MAX_WAITING = 1000;
  public static final Limits DEFAULT_LIMITS = new Limits(5, 15, 256, 256 * 1024, 8, Limits.DEFAULT_RETURN_CHARS,
      false);

  public SandboxSettings {
    if (poolSize < 1 || poolSize > 256) {
      throw new IllegalArgumentException("TOOL_POOL_SIZE must be between 1 and 256");
    }
    if (maxWaiting < 0) {
      throw new IllegalArgumentException("TOOL_QUEUE must not be negative");
    }
    if (defaults.network()) {
      throw new IllegalArgumentException("network access is a property of a tool, not a default");
    }
  }

  public SandboxSettings(String python, int poolSize, int maxWaiting, Limits defaults) {
    this(python, poolSize, maxWaiting, defaults, false);
  }

  public static SandboxSettings standard() {
    return new SandboxSettings(null, DEFAULT_POOL_SIZE, DEFAULT_MAX_WAITING, DEFAULT_LIMITS);
  }
}
