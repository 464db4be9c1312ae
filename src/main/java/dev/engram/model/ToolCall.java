package dev.engram.model;

/** A function call the model asked for: its id, the function name and the raw JSON arguments. */
public record ToolCall(String id, String name, String arguments) {}
