package dev.engram.sandbox;

import static dev.engram.sandbox.ToolSandboxTest.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.kernel.ApiException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A tool's JSON schema from its source, as Letta derives it, and the sources that cannot be a tool. */
class ToolSchemaTest {
  private static Vertx vertx;
  private static ToolSandbox sandbox;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    sandbox = ToolSandbox.create(vertx, SandboxSettings.standard());
    assertNull(sandbox.unavailableReason(), () -> "the tool sandbox cannot run here: " + sandbox.unavailableReason());
  }

  @AfterAll
  static void stop() throws Exception {
    await(sandbox.stop());
    await(vertx.close());
  }

  @Test
  void signatureAndDocstringBecomeTheSchema() throws Exception {
    JsonObject schema = await(sandbox.schemaOf("""
        from typing import List, Literal, Optional

        UNITS = ("metric", "imperial")

        def get_weather(city: str, days: int = 3, units: Literal["metric", "imperial"] = "metric",
                        tags: Optional[List[str]] = None, verbose: bool = False, ratio: "float" = 1.0,
                        agent_state=None) -> str:
            \"""Gets the weather forecast for a city.

            Uses the public forecast service.

            Args:
                city (str): The city's name.
                days: How many days to
                    forecast.
                units: The units of measurement.
                tags: Labels to attach.
                verbose: Whether to explain.
                ratio: A scaling factor.

            Returns:
                str: The forecast.
            \"""
            return city
        """));
    JsonObject expected = new JsonObject()
        .put("name", "get_weather")
        .put("description", "Gets the weather forecast for a city.\n\nUses the public forecast service.")
        .put("parameters", new JsonObject().put("type", "object")
            .put("properties", new JsonObject()
                .put("city", property("string", "The city's name."))
                .put("days", property("integer", "How many days to\nforecast."))
                .put("units", property("string", "The units of measurement.")
                    .put("enum", new JsonArray().add("metric").add("imperial")))
                .put("tags", new JsonObject().put("type", "array").put("items", new JsonObject().put("type", "string"))
                    .put("description", "Labels to attach."))
                .put("verbose", property("boolean", "Whether to explain."))
                .put("ratio", property("number", "A scaling factor.")))
            .put("required", new JsonArray().add("city")));
    assertEquals(expected, schema);
  }

  @Test
  void aFunctionWithoutDocstringOrParametersHasLettasPlaceholder() throws Exception {
    JsonObject schema = await(sandbox.schemaOf("import json\n\ndef ping():\n    return 'pong'\n"));
    assertEquals("ping", schema.getString("name"));
    assertEquals("No description available", schema.getString("description"));
    assertEquals(new JsonObject().put("type", "object").put("properties", new JsonObject())
        .put("required", new JsonArray()), schema.getJsonObject("parameters"));
  }

  @Test
  void theSourceIsParsedNotRun() throws Exception {
    JsonObject schema = await(sandbox.schemaOf("""
        import os
        os.kill(os.getppid(), 9)

        def f(x: int):
            \"""Adds one.

            Args:
                x: The number.
            \"""
            return x + 1
        """));
    assertEquals("Adds one.", schema.getString("description"));
  }

  @Test
  void sourcesThatCannotBeAToolAreRefusedWithTheReason() {
    refused("def f(:\n    pass\n", "does not parse");
    refused("x = 1\n", "defines no function");
    refused("def a():\n    pass\n\ndef b():\n    pass\n", "2 top-level functions (a, b)");
    refused("def f(x):\n    \"\"\"Doc.\n\n    Args:\n        x: The x.\n    \"\"\"\n", "lacks a type annotation");
    refused("def f(x: int):\n    \"\"\"Doc without Args.\"\"\"\n", "'x' of function 'f' lacks a description");
    refused("def f(*args: int):\n    pass\n", "*args or **kwargs");
    refused("from typing import Union\ndef f(x: Union[int, str]):\n    \"\"\"D.\n\n    Args:\n        x: X.\n    \"\"\"\n",
        "general Union types");
    refused("def f(x: dict[str, int]):\n    \"\"\"D.\n\n    Args:\n        x: X.\n    \"\"\"\n", "dictionary types");
    refused("def f(x: set):\n    \"\"\"D.\n\n    Args:\n        x: X.\n    \"\"\"\n", "the type set has no JSON");
    refused("", "defines no function");
  }

  private static void refused(String source, String reason) {
    ExecutionException failure = assertThrows(ExecutionException.class, () -> await(sandbox.schemaOf(source)));
    ApiException api = assertInstanceOf(ApiException.class, failure.getCause());
    assertEquals(400, api.status());
    assertTrue(api.getMessage().contains(reason), () -> "expected '" + reason + "' in: " + api.getMessage());
  }

  private static JsonObject property(String type, String description) {
    return new JsonObject().put("type", type).put("description", description);
  }
}
