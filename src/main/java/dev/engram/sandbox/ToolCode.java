package dev.engram.sandbox;

import java.util.Objects;

/** A tool's Python source: one top-level function, with whatever imports, constants and classes it needs. */
public record ToolCode(String source) {
  public ToolCode {
    Objects.requireNonNull(source, "source");
  }
}
