package dev.engram.archival;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Sources, uploads as jobs, attach/detach, with real text extraction, embeddings, index and PostgreSQL. */
class SourcesApiTest {
  private static Api api;
  private static String key;

  @BeforeAll
  static void start() {
    api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json
    key = api.newUser().getString("api_key");
  }

  static JsonObject createSource(String token, String name) {
    return createSourceWith(api, token, name);
  }

  static JsonObject createSourceWith(Api api, String token, String name) {
    Api.Response r = api.post("/api/sources", token, new JsonObject().put("name", name).put("description", "docs"));
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  static JsonObject awaitJob(String token, String jobId) throws InterruptedException {
    return awaitJob(api, token, jobId);
  }

  /** Polls the job until it ends; returns its final JobModel. */
  static JsonObject awaitJob(Api api, String token, String jobId) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      JsonObject job = api.get("/api/sources/status/" + jobId, token).json();
      String status = job.getString("status");
      if (status.equals("completed") || status.equals("failed")) {
        return job;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("job " + jobId + " did not end");
  }

  static JsonObject upload(String token, String sourceId, String fileName, byte[] content) throws Exception {
    Api.Response r = api.upload("/api/sources/" + sourceId + "/upload", token, "file", fileName, content);
    assertEquals(200, r.status(), r.body());
    JsonObject job = r.json();
    assertTrue(job.getString("status").equals("created") || job.getString("status").equals("running"),
        job.encode());
    assertEquals(fileName, job.getJsonObject("metadata_").getString("filename"));
    return awaitJob(token, job.getString("id"));
  }

  private static int archivalCount(String agent) {
    return api.get("/api/agents/" + agent + "/memory", key).json().getInteger("archival_memory");
  }

  @Test
  @DisplayName("upload -> job completes -> attach -> the agent finds the document's passages; detach takes them away")
  void uploadAttachSearchDetach() throws Exception {
    JsonObject source = createSource(key, "handbook");
    String sourceId = source.getString("id");
    assertEquals(0, source.getJsonObject("metadata_").getInteger("num_passages"));
    String text = "Our office opens at nine.\n\nThe coffee machine on the third floor is broken; use the one in the "
        + "lobby.\n\nExpense reports are due on the fifth working day of each month.";
    JsonObject job = upload(key, sourceId, "handbook.md", text.getBytes(StandardCharsets.UTF_8));
    assertEquals("completed", job.getString("status"), job.encode());
    int passages = job.getJsonObject("metadata_").getInteger("num_passages");
    assertTrue(passages >= 1);
    assertEquals(1, job.getJsonObject("metadata_").getInteger("num_documents"));
    assertNotNull(job.getString("completed_at"));

    JsonArray stored = api.get("/api/sources/" + sourceId + "/passages", key).json().getJsonArray("passages");
    assertEquals(passages, stored.size());
    JsonArray docs = api.get("/api/sources/" + sourceId + "/documents", key).json().getJsonArray("documents");
    assertEquals("handbook.md", docs.getJsonObject(0).getString("name"));

    String agent = api.newAgent(key, "Clerk");
    assertEquals(0, archivalCount(agent), "archival stays empty until attach");
    JsonObject attached = api.post("/api/sources/" + sourceId + "/attach?agent_id=" + agent, key, null).json();
    assertEquals(agent, attached.getJsonObject("metadata_").getJsonArray("attached_agents").getJsonObject(0)
        .getString("id"));
    assertEquals(passages, archivalCount(agent));
    JsonArray found = api.get("/api/agents/" + agent + "/archival?query=when+are+expenses+due", key).json()
        .getJsonArray("archival_memory");
    assertTrue(found.getJsonObject(0).getString("contents").contains("Expense reports"), found.encode());
    JsonObject provenance = found.getJsonObject(0).getJsonObject("provenance");
    assertEquals("document", provenance.getString("kind"), "a chunk of the source's document names it: " + provenance);
    assertEquals(sourceId, provenance.getString("source_id"));
    assertEquals(found.getJsonObject(0).getString("doc_id"), provenance.getString("document_id"));
    assertEquals(found.getJsonObject(0).getString("id"), provenance.getString("passage_id"));
    assertEquals("handbook.md", provenance.getString("file_name"));
    assertEquals(found.getJsonObject(0).getString("created_at"), provenance.getString("timestamp"));

    assertEquals(200, api.post("/api/sources/" + sourceId + "/detach?agent_id=" + agent, key, null).status());
    assertEquals(0, archivalCount(agent));
    assertTrue(api.get("/api/agents/" + agent + "/archival?query=expenses", key).json()
        .getJsonArray("archival_memory").isEmpty(), "detached passages are not found");

    assertEquals(200, api.delete("/api/sources/" + sourceId, key).status());
    assertEquals(404, api.get("/api/sources/" + sourceId + "/passages", key).status());
  }

  @Test
  @DisplayName("a PDF and a JSONL file load through their extractors")
  void pdfAndJsonl() throws Exception {
    String sourceId = createSource(key, "mixed").getString("id");
    JsonObject pdfJob = upload(key, sourceId, "note.pdf", pdf("The lighthouse keeper logs every passing ship."));
    assertEquals("completed", pdfJob.getString("status"), pdfJob.encode());
    String jsonl = "{\"text\": \"Line one is about apples.\"}\n{\"content\": \"Line two is about pears.\"}\n";
    JsonObject jsonlJob = upload(key, sourceId, "fruit.jsonl", jsonl.getBytes(StandardCharsets.UTF_8));
    assertEquals("completed", jsonlJob.getString("status"), jsonlJob.encode());
    String all = api.get("/api/sources/" + sourceId + "/passages", key).json().getJsonArray("passages").encode();
    assertTrue(all.contains("lighthouse keeper"), all);
    assertTrue(all.contains("apples") && all.contains("pears"), all);
    assertFalse(all.contains("\\\"text\\\""), "JSON records are loaded by their text, not as raw JSON");
  }

  @Test
  @DisplayName("bad files end the job failed with a clear error and no passages")
  void badFiles() throws Exception {
    String sourceId = createSource(key, "rejects").getString("id");
    assertFailed(upload(key, sourceId, "tool.exe", new byte[] {1, 2, 3}), "unsupported file type");
    assertFailed(upload(key, sourceId, "empty.txt", new byte[0]), "empty");
    assertFailed(upload(key, sourceId, "broken.pdf", "not a pdf at all".getBytes(StandardCharsets.UTF_8)),
        "not a readable PDF");
    assertFailed(upload(key, sourceId, "bad.json", "{\"unclosed\": ".getBytes(StandardCharsets.UTF_8)),
        "not valid JSON");
    assertFailed(upload(key, sourceId, "latin1.txt", new byte[] {(byte) 0xE9, (byte) 0xE8, 'a'}), "not UTF-8");
    assertEquals(0, api.get("/api/sources/" + sourceId + "/passages", key).json().getJsonArray("passages").size());
    assertEquals(0, api.get("/api/sources/" + sourceId, key).json().getJsonObject("metadata_")
        .getInteger("num_documents"));

    Api.Response noFile = api.upload("/api/sources/" + sourceId + "/upload", key, "document", "a.txt",
        "text".getBytes(StandardCharsets.UTF_8));
    assertEquals(422, noFile.status(), noFile.body());
    assertTrue(noFile.json().getString("detail").contains("'file'"));
  }

  private static void assertFailed(JsonObject job, String fragment) {
    assertEquals("failed", job.getString("status"), job.encode());
    String error = job.getJsonObject("metadata_").getString("error");
    assertNotNull(error, job.encode());
    assertTrue(error.contains(fragment), error);
  }

  @Test
  @DisplayName("another user's source and job answer 404 on every route; names are unique per user")
  void isolation() throws Exception {
    String sourceId = createSource(key, "private-notes").getString("id");
    JsonObject job = upload(key, sourceId, "n.txt", "Secret plans for the garden.".getBytes(StandardCharsets.UTF_8));
    String other = api.newUser().getString("api_key");
    String otherAgent = api.newAgent(other, "Snoop");
    String base = "/api/sources/" + sourceId;
    assertEquals(404, api.get(base, other).status());
    assertEquals(404, api.post(base, other, new JsonObject().put("name", "mine")).status());
    assertEquals(404, api.get(base + "/passages", other).status());
    assertEquals(404, api.get(base + "/documents", other).status());
    assertEquals(404, api.post(base + "/attach?agent_id=" + otherAgent, other, null).status());
    assertEquals(404, api.upload(base + "/upload", other, "file", "x.txt", "x".getBytes()).status());
    assertEquals(404, api.get("/api/sources/status/" + job.getString("id"), other).status());
    assertEquals(404, api.delete(base, other).status());
    assertTrue(api.get("/api/sources", other).json().getJsonArray("sources").isEmpty());
    String myAgent = api.newAgent(key, "Gardener");
    assertEquals(404, api.post(base + "/attach?agent_id=" + otherAgent, key, null).status(),
        "a source cannot be attached to another user's agent");
    assertEquals(200, api.post(base + "/attach?agent_id=" + myAgent, key, null).status());
    assertEquals(409, api.post("/api/sources", key, new JsonObject().put("name", "private-notes")).status());
    assertEquals(200, createSource(other, "private-notes").getString("name").equals("private-notes") ? 200 : 0);
  }

  static byte[] pdf(String line) throws IOException {
    try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      PDPage page = new PDPage();
      doc.addPage(page);
      try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
        content.beginText();
        content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
        content.newLineAtOffset(72, 700);
        content.showText(line);
        content.endText();
      }
      doc.save(out);
      return out.toByteArray();
    }
  }
}
