package dev.engram.http.letta;

import static dev.engram.http.letta.Details.assertError;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.NodeScript;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Letta's folders and files on /v1 (the sources, jobs and documents of /api), the 0.4 client's sources and jobs,
 * and the official SDK driving them.
 */
class LettaFolderTest {
  static final String HANDBOOK = "Our office opens at nine.\n\nThe coffee machine on the third floor is broken; use "
      + "the one in the lobby.\n\nExpense reports are due on the fifth working day of each month.";

  private final TestServer server = TestServer.shared();
  private final Api api = server.checkedApi(); // every answer checked against /openapi.json

  private static JsonArray array(Api.Response r) {
    assertEquals(200, r.status(), r.body());
    return new JsonArray(r.body());
  }

  private JsonObject folder(String key, String name) {
    Api.Response r = api.post("/v1/folders/", key, new JsonObject().put("name", name));
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private JsonObject upload(String key, String folderId, String query, String fileName, String text) {
    Api.Response r = api.upload("/v1/folders/" + folderId + "/upload" + query, key, "file", fileName,
        text.getBytes(StandardCharsets.UTF_8));
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  /** Polls the file as a client does until it has been processed; returns its last FileMetadata. */
  private JsonObject awaitFile(String key, String folderId, String fileId) throws InterruptedException {
    Set<String> seen = new java.util.TreeSet<>();
    for (int i = 0; i < 600; i++) {
      JsonObject file = api.get("/v1/folders/" + folderId + "/files/" + fileId, key).json();
      String status = file.getString("processing_status");
      seen.add(status);
      assertTrue(Set.of("pending", "parsing", "embedding", "completed", "error").contains(status), file::encode);
      if (status.equals("completed") || status.equals("error")) {
        return file;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("file " + fileId + " was not processed; statuses seen " + seen);
  }

  private List<String> names(JsonArray items, String field) {
    return items.stream().map(o -> ((JsonObject) o).getString(field)).toList();
  }

  @Test
  @DisplayName("folders: create with Letta's fields, list with a name filter and paging, retrieve, update, delete; /api sees the same source")
  void folderCrud() {
    String key = api.newUser().getString("api_key");
    JsonObject created = api.post("/v1/folders/", key, new JsonObject().put("name", "manuals")
        .put("description", "how things work").put("instructions", "cite the manual")
        .put("metadata", new JsonObject().put("team", "ops")).put("embedding", "local/all-minilm-l6-v2")
        .put("embedding_chunk_size", 200)).json();
    String id = created.getString("id");
    assertTrue(id.startsWith("source-"), created::encode);
    assertEquals("cite the manual", created.getString("instructions"));
    assertEquals("ops", created.getJsonObject("metadata").getString("team"));
    assertEquals(200, created.getJsonObject("embedding_config").getInteger("embedding_chunk_size"));
    assertEquals("local/all-minilm-l6-v2", created.getJsonObject("embedding_config").getString("handle"));
    assertError(api.post("/v1/folders", key, new JsonObject().put("name", "manuals")), 409, "already exists");
    String second = folder(key, "recipes").getString("id");

    assertEquals(List.of(id, second), names(array(api.get("/v1/folders/", key)), "id"));
    assertEquals(List.of(second, id), names(array(api.get("/v1/folders?order=desc", key)), "id"));
    assertEquals(List.of(second), names(array(api.get("/v1/folders?name=recipes", key)), "id"));
    assertEquals(List.of(second), names(array(api.get("/v1/folders?limit=1&after=" + id, key)), "id"));
    assertEquals(List.of(), names(array(api.get("/v1/folders?after=" + second, key)), "id"), "the pager ends");
    assertEquals("manuals", api.get("/v1/folders/" + id, key).json().getString("name"));
    assertEquals("\"" + second + "\"", api.get("/v1/folders/name/recipes", key).body());
    assertEquals("2", api.get("/v1/folders/count", key).body());

    JsonObject updated = api.patch("/v1/folders/" + id, key, new JsonObject().put("description", "new")
        .put("metadata", new JsonObject().put("team", "dev"))).json();
    assertEquals("new", updated.getString("description"));
    assertEquals("cite the manual", updated.getString("instructions"), "what is not given stays");
    assertEquals("dev", updated.getJsonObject("metadata").getString("team"));
    String bare = id.substring("source-".length());
    assertEquals("new", api.get("/api/sources/" + bare, key).json().getString("description"));
    assertError(api.patch("/v1/folders/" + id, key, new JsonObject().put("name", "recipes")), 409, "already exists");

    Api.Response deleted = api.delete("/v1/folders/" + id, key);
    assertEquals(200, deleted.status(), deleted.body());
    assertError(api.get("/v1/folders/" + id, key), 404, "not found");
    assertError(api.get("/api/sources/" + bare, key), 404, "not found");
  }

  @Test
  @DisplayName("upload -> poll the file to completed -> attach -> the agent's archival search finds it; detach and file delete take it away")
  void uploadPollAttachSearch() throws Exception {
    String key = api.newUser().getString("api_key");
    String folderId = folder(key, "handbook").getString("id");
    JsonObject file = upload(key, folderId, "", "handbook.md", HANDBOOK);
    String fileId = file.getString("id");
    assertTrue(fileId.startsWith("file-"), file::encode);
    assertEquals(folderId, file.getString("source_id"));
    assertEquals("handbook.md", file.getString("file_name"));
    assertEquals("text/markdown", file.getString("file_type"));
    assertEquals(HANDBOOK.getBytes(StandardCharsets.UTF_8).length, file.getLong("file_size"));
    assertFalse(file.containsKey("job_id"), "no job in the answer");

    JsonObject done = awaitFile(key, folderId, fileId);
    assertEquals("completed", done.getString("processing_status"), done::encode);
    assertTrue(done.getInteger("total_chunks") >= 1);
    assertEquals(done.getInteger("total_chunks"), done.getInteger("chunks_embedded"));
    assertNull(done.getString("error_message"));
    assertFalse(done.containsKey("content"), "content only on request");
    JsonObject withContent = api.get("/v1/folders/" + folderId + "/files/" + fileId + "?include_content=true", key)
        .json();
    assertEquals(HANDBOOK, withContent.getString("content"));
    JsonArray files = array(api.get("/v1/folders/" + folderId + "/files", key));
    assertEquals(List.of(fileId), names(files, "id"));
    assertEquals(HANDBOOK, array(api.get("/v1/folders/" + folderId + "/files?include_content=true", key))
        .getJsonObject(0).getString("content"));

    // the same row is a job and a document on the older routes
    String bareFile = fileId.substring("file-".length());
    assertEquals("completed", api.get("/v1/jobs/job-" + bareFile, key).json().getString("status"));
    assertEquals("completed", api.get("/api/sources/status/" + bareFile, key).json().getString("status"));
    String bareFolder = folderId.substring("source-".length());
    assertEquals("handbook.md", api.get("/api/sources/" + bareFolder + "/documents", key).json()
        .getJsonArray("documents").getJsonObject(0).getString("name"));

    String agent = api.newAgent(key, "clerk");
    String search = "/v1/agents/agent-" + agent + "/archival-memory/search?query="
        + URLEncoder.encode("when are expense reports due", StandardCharsets.UTF_8);
    assertEquals(0, api.get(search, key).json().getInteger("count"), "nothing before attach");
    Api.Response attached = api.patch("/v1/agents/agent-" + agent + "/folders/attach/" + folderId, key, null);
    assertEquals(200, attached.status(), attached.body());
    Letta.assertAgentState(attached.json());
    assertEquals(List.of(folderId), names(attached.json().getJsonArray("sources"), "id"));
    assertEquals(List.of("agent-" + agent), array(api.get("/v1/folders/" + folderId + "/agents", key)).getList());
    assertEquals(List.of(folderId), names(array(api.get("/v1/agents/agent-" + agent + "/folders", key)), "id"));
    JsonObject top = api.get(search, key).json().getJsonArray("results").getJsonObject(0);
    assertTrue(top.getString("content").contains("Expense reports"), top::encode);
    JsonObject passage = array(api.get("/v1/agents/agent-" + agent + "/archival-memory", key)).getJsonObject(0);
    assertEquals(fileId, passage.getString("file_id"));
    assertEquals("handbook.md", passage.getString("file_name"));
    assertEquals(folderId, passage.getString("source_id"));

    Api.Response detached = api.patch("/v1/agents/agent-" + agent + "/folders/detach/" + folderId, key, null);
    assertEquals(200, detached.status(), detached.body());
    assertEquals(new JsonArray(), detached.json().getJsonArray("sources"));
    assertEquals(0, api.get(search, key).json().getInteger("count"), "detached");
    assertEquals(0, array(api.get("/v1/folders/" + folderId + "/agents", key)).size());
    api.patch("/v1/agents/agent-" + agent + "/folders/attach/" + folderId, key, null);

    Api.Response gone = api.delete("/v1/folders/" + folderId + "/" + fileId, key);
    assertEquals(204, gone.status(), gone.body());
    assertError(api.get("/v1/folders/" + folderId + "/files/" + fileId, key), 404, "not found");
    assertEquals(0, api.get(search, key).json().getInteger("count"), "the file's passages went with it");
    assertEquals(0, api.get("/api/sources/" + bareFolder + "/passages", key).json().getJsonArray("passages").size());
    assertEquals(0, api.get("/api/sources/" + bareFolder + "/documents", key).json().getJsonArray("documents")
        .size());
    assertError(api.delete("/v1/folders/" + folderId + "/" + fileId, key), 404, "not found");
  }

  @Test
  @DisplayName("a folder's embedding_chunk_size is the chunk size of its files, also for a file loaded after it")
  void chunkSizePerFolder() throws Exception {
    String key = api.newUser().getString("api_key");
    String wide = folder(key, "wide").getString("id");
    String narrow = api.post("/v1/folders", key, new JsonObject().put("name", "narrow")
        .put("embedding_chunk_size", 16)).json().getString("id");
    String text = HANDBOOK.repeat(4);
    int wideChunks = awaitFile(key, wide, upload(key, wide, "", "a.md", text).getString("id"))
        .getInteger("total_chunks");
    JsonObject small = awaitFile(key, narrow, upload(key, narrow, "", "a.md", text).getString("id"));
    assertEquals("completed", small.getString("processing_status"));
    assertTrue(small.getInteger("total_chunks") > 2 * wideChunks,
        small.getInteger("total_chunks") + " chunks of 16 tokens against " + wideChunks + " of the default");
  }

  @Test
  @DisplayName("a repeated file name is suffixed, refused (409), skipped or replaced as asked; name= renames; an unknown type is 415")
  void duplicateNames() throws Exception {
    String key = api.newUser().getString("api_key");
    String folderId = folder(key, "dups").getString("id");
    JsonObject first = upload(key, folderId, "", "notes.txt", "First notes about apples.");
    JsonObject second = upload(key, folderId, "", "notes.txt", "Second notes about pears.");
    assertEquals("notes_(1).txt", second.getString("file_name"));
    assertEquals("notes.txt", second.getString("original_file_name"));

    Api.Response refused = api.upload("/v1/folders/" + folderId + "/upload?duplicate_handling=error", key, "file",
        "notes.txt", "x".getBytes(StandardCharsets.UTF_8));
    assertError(refused, 409, "already exists");
    assertEquals("false", refused.headers().firstValue("x-should-retry").orElse(null));

    Api.Response skipped = api.upload("/v1/folders/" + folderId + "/upload?duplicate_handling=skip", key, "file",
        "notes.txt", "y".getBytes(StandardCharsets.UTF_8));
    assertEquals(200, skipped.status(), skipped.body());
    assertEquals(first.getString("id"), skipped.json().getString("id"));
    assertEquals("skipped", skipped.headers().firstValue("x-upload-result").orElse(null));
    assertEquals(2, array(api.get("/v1/folders/" + folderId + "/files", key)).size());

    awaitFile(key, folderId, first.getString("id"));
    JsonObject replaced = upload(key, folderId, "?duplicate_handling=replace", "notes.txt", "Replaced notes on figs.");
    assertEquals("notes.txt", replaced.getString("file_name"));
    assertError(api.get("/v1/folders/" + folderId + "/files/" + first.getString("id"), key), 404, "not found");
    assertEquals("completed", awaitFile(key, folderId, replaced.getString("id")).getString("processing_status"));
    String passages = api.get("/api/sources/" + folderId.substring(7) + "/passages", key).body();
    assertFalse(passages.contains("apples"), "the replaced file's passages are gone");
    assertTrue(passages.contains("figs"), passages);

    JsonObject renamed = upload(key, folderId, "?name=" + URLEncoder.encode("Fig notes.txt", StandardCharsets.UTF_8),
        "upload.txt", "More about figs.");
    assertEquals("Fig notes.txt", renamed.getString("file_name"));
    assertEquals("completed", awaitFile(key, folderId, renamed.getString("id")).getString("processing_status"));

    assertError(api.upload("/v1/folders/" + folderId + "/upload", key, "file", "tool.exe", new byte[] {1, 2}), 415,
        "Unsupported file type");
    assertError(api.upload("/v1/folders/" + folderId + "/upload?duplicate_handling=merge", key, "file", "a.txt",
        "a".getBytes(StandardCharsets.UTF_8)), 422, "duplicate_handling");
    assertEquals(3, array(api.get("/v1/folders/" + folderId + "/files", key)).size(), "nothing more was stored");
    // a file that fails to load stays listed, with its error
    JsonObject broken = upload(key, folderId, "", "broken.pdf", "not a pdf at all");
    JsonObject failed = awaitFile(key, folderId, broken.getString("id"));
    assertEquals("error", failed.getString("processing_status"));
    assertTrue(failed.getString("error_message").contains("not a readable PDF"), failed::encode);
  }

  @Test
  @DisplayName("every route answering an AgentState shows the folders attached to the agent as its sources, and only"
      + " those: retrieve, list, update, reset, block, tool and folder attach and detach, a block's agents")
  void agentStatesShowTheirFolders() {
    String key = api.newUser().getString("api_key");
    String manuals = folder(key, "manuals").getString("id");
    String recipes = folder(key, "recipes").getString("id");
    folder(key, "unattached");
    String agent = "agent-" + api.newAgent(key, "reader");
    String bystander = "agent-" + api.newAgent(key, "bystander");
    Letta.assertAgentState(api.patch("/v1/agents/" + agent + "/folders/attach/" + manuals, key, null).json());
    JsonObject both = api.patch("/v1/agents/" + agent + "/folders/attach/" + recipes, key, null).json();
    assertEquals(List.of(manuals, recipes), names(both.getJsonArray("sources"), "id"), "oldest folder first");
    JsonObject source = both.getJsonArray("sources").getJsonObject(1);
    assertEquals(api.get("/v1/folders/" + recipes, key).json(), source, "a source is the Folder as /v1/folders shows it");

    String block = Letta.createBlock(api, key, Letta.block("notes", "shared")).getString("id");
    String tool = array(api.get("/v1/tools?name=memory_insert", key)).getJsonObject(0).getString("id");
    String a = "/v1/agents/" + agent;
    List<Api.Response> states = List.of(
        api.get(a, key),
        api.patch(a, key, new JsonObject().put("description", "reads manuals")),
        api.patch(a + "/reset-messages", key, new JsonObject()),
        api.patch(a + "/core-memory/blocks/attach/" + block, key, null),
        api.patch(a + "/tools/attach/" + tool, key, null),
        api.patch(a + "/tools/detach/" + tool, key, null));
    for (Api.Response r : states) {
      assertEquals(200, r.status(), r.body());
      assertEquals(List.of(manuals, recipes), names(r.json().getJsonArray("sources"), "id"), r::body);
    }
    JsonArray listed = array(api.get("/v1/agents?order=asc", key));
    assertEquals(List.of(agent, bystander), names(listed, "id"));
    assertEquals(List.of(manuals, recipes), names(listed.getJsonObject(0).getJsonArray("sources"), "id"));
    assertEquals(new JsonArray(), listed.getJsonObject(1).getJsonArray("sources"), "another agent's folders");
    JsonArray holders = array(api.get("/v1/blocks/" + block + "/agents", key));
    assertEquals(List.of(manuals, recipes), names(holders.getJsonObject(0).getJsonArray("sources"), "id"));

    JsonObject detached = api.patch(a + "/folders/detach/" + manuals, key, null).json();
    assertEquals(List.of(recipes), names(detached.getJsonArray("sources"), "id"));
    assertEquals(List.of(recipes), names(api.patch(a + "/core-memory/blocks/detach/" + block, key, null).json()
        .getJsonArray("sources"), "id"));
    api.delete("/v1/folders/" + recipes, key);
    assertEquals(new JsonArray(), api.get(a, key).json().getJsonArray("sources"), "a deleted folder is gone");
  }

  @Test
  @DisplayName("folder_ids (and the deprecated source_ids) on create attach those folders; on update they become the"
      + " agent's folders; a folder that is not the user's is 404 and nothing is stored, a malformed id 422")
  void foldersOnCreateAndUpdate() {
    String key = api.newUser().getString("api_key");
    String manuals = folder(key, "manuals").getString("id");
    String recipes = folder(key, "recipes").getString("id");
    String maps = folder(key, "maps").getString("id");
    JsonObject created = Letta.createAgent(api, key, new JsonObject().put("name", "librarian")
        .put("folder_ids", new JsonArray().add(manuals)).put("source_ids", new JsonArray().add(recipes)));
    String agent = created.getString("id");
    assertEquals(List.of(manuals, recipes), names(created.getJsonArray("sources"), "id"));
    assertEquals(List.of(manuals, recipes), names(array(api.get("/v1/agents/" + agent + "/folders", key)), "id"));

    Api.Response updated = api.patch("/v1/agents/" + agent, key, new JsonObject()
        .put("folder_ids", new JsonArray().add(recipes).add(maps)));
    assertEquals(200, updated.status(), updated.body());
    assertEquals(List.of(recipes, maps), names(updated.json().getJsonArray("sources"), "id"));
    assertEquals(List.of(), array(api.get("/v1/folders/" + manuals + "/agents", key)).getList());
    Api.Response untouched = api.patch("/v1/agents/" + agent, key, new JsonObject().put("description", "reads"));
    assertEquals(List.of(recipes, maps), names(untouched.json().getJsonArray("sources"), "id"), "left as they are");

    String other = api.newUser().getString("api_key");
    String foreign = folder(other, "theirs").getString("id");
    assertError(api.post("/v1/agents/", key, new JsonObject().put("name", "thief")
        .put("folder_ids", new JsonArray().add(foreign))), 404, "not found");
    assertError(api.post("/v1/agents/", key, new JsonObject().put("name", "typo")
        .put("folder_ids", new JsonArray().add("folder-1"))), 422, "folder_ids");
    assertError(api.post("/v1/agents/", key, new JsonObject().put("name", "typo")
        .put("source_ids", "source-1")), 422, "source_ids");
    assertEquals(List.of("librarian"), names(array(api.get("/v1/agents/", key)), "name"), "no agent was stored");
    assertError(api.patch("/v1/agents/" + agent, key, new JsonObject().put("description", "stolen")
        .put("folder_ids", new JsonArray().add(foreign))), 404, "not found");
    JsonObject after = api.get("/v1/agents/" + agent, key).json();
    assertEquals("reads", after.getString("description"), "the update was refused whole");
    assertEquals(List.of(recipes, maps), names(after.getJsonArray("sources"), "id"));
    assertEquals(List.of(), array(api.get("/v1/folders/" + foreign + "/agents", other)).getList());
  }

  @Test
  @DisplayName("another user's folder, file, agent and job are 404 on every route, and nothing is stored for them")
  void isolation() throws Exception {
    String owner = api.newUser().getString("api_key");
    String folderId = folder(owner, "private-docs").getString("id");
    String fileId = upload(owner, folderId, "", "secret.txt", "The vault code is 1234.").getString("id");
    awaitFile(owner, folderId, fileId);
    String agent = "agent-" + api.newAgent(owner, "owner-agent");
    String job = "job-" + fileId.substring("file-".length());

    String other = api.newUser().getString("api_key");
    String ownFolder = folder(other, "mine").getString("id");
    String ownAgent = "agent-" + api.newAgent(other, "other-agent");
    String f = "/v1/folders/" + folderId;
    assertError(api.get(f, other), 404, "not found");
    assertError(api.patch(f, other, new JsonObject().put("name", "taken")), 404, "not found");
    assertError(api.delete(f, other), 404, "not found");
    assertError(api.upload(f + "/upload", other, "file", "x.txt", "x".getBytes(StandardCharsets.UTF_8)), 404,
        "not found");
    assertError(api.get(f + "/files", other), 404, "not found");
    assertError(api.get(f + "/files/" + fileId, other), 404, "not found");
    assertError(api.get("/v1/folders/" + ownFolder + "/files/" + fileId, other), 404, "not found");
    assertError(api.delete(f + "/" + fileId, other), 404, "not found");
    assertError(api.delete("/v1/folders/" + ownFolder + "/" + fileId, other), 404, "not found");
    assertError(api.get(f + "/agents", other), 404, "not found");
    assertError(api.patch("/v1/agents/" + ownAgent + "/folders/attach/" + folderId, other, null), 404, "not found");
    assertError(api.patch("/v1/agents/" + agent + "/folders/attach/" + ownFolder, other, null), 404, "not found");
    assertError(api.patch("/v1/agents/" + agent + "/folders/detach/" + ownFolder, other, null), 404, "not found");
    assertError(api.get("/v1/agents/" + agent + "/folders", other), 404, "not found");
    assertError(api.get("/v1/jobs/" + job, other), 404, "not found");
    assertEquals(0, array(api.get("/v1/jobs", other)).size());
    assertError(api.get("/v1/sources/" + folderId, other), 404, "not found");
    assertError(api.get("/v1/sources/name/private-docs", other), 404, "not found");
    assertError(api.post("/v1/sources/" + folderId + "/attach?agent_id=" + ownAgent, other, null), 404, "not found");
    assertError(api.get("/v1/sources/" + folderId + "/passages", other), 404, "not found");
    assertError(api.get("/v1/agents/" + agent + "/sources", other), 404, "not found");
    assertEquals(List.of("mine"), names(array(api.get("/v1/folders", other)), "name"));

    // the owner's rows are as they were
    assertEquals(1, array(api.get(f + "/files", owner)).size());
    assertEquals("private-docs", api.get(f, owner).json().getString("name"));
    assertEquals(0, array(api.get(f + "/agents", owner)).size());
    assertEquals(0, array(api.get("/v1/folders/" + ownFolder + "/files", other)).size());
  }

  @Test
  @DisplayName("bad input answers 4xx with a detail and stores nothing")
  void badInput() {
    String key = api.newUser().getString("api_key");
    String folderId = folder(key, "strict").getString("id");
    assertError(api.post("/v1/folders", key, "{\"name\": "), 400, "Malformed JSON");
    assertError(api.post("/v1/folders", key, new JsonObject()), 422, "name");
    assertError(api.post("/v1/folders", key, new JsonObject().put("name", 7)), 422, "name");
    assertError(api.post("/v1/folders", key, new JsonObject().put("name", "x".repeat(101))), 422, "name");
    assertError(api.post("/v1/folders", key, new JsonObject().put("name", "a").put("metadata", "x")), 422, "metadata");
    assertError(api.post("/v1/folders", key, new JsonObject().put("name", "a").put("embedding", "openai/ada")), 422,
        "embedding");
    assertError(api.post("/v1/folders", key, new JsonObject().put("name", "a").put("embedding_chunk_size", "big")),
        422, "embedding_chunk_size");
    assertError(api.post("/v1/folders", key, new JsonObject().put("name", "a").put("embedding_chunk_size", 0)), 422,
        "embedding_chunk_size");
    assertError(api.post("/v1/folders", key, new JsonObject().put("name", "a")
        .put("embedding_config", new JsonObject().put("embedding_model", "other"))), 422, "embedding_model");
    assertError(api.patch("/v1/folders/" + folderId, key, "not json"), 400, "Malformed JSON");
    assertError(api.patch("/v1/folders/" + folderId, key, new JsonObject().put("description", 3)), 422,
        "description");
    assertEquals(1, array(api.get("/v1/folders", key)).size(), "no folder was created");
    assertEquals("strict", api.get("/v1/folders/" + folderId, key).json().getString("name"));

    assertError(api.get("/v1/folders?order=sideways", key), 422, "order");
    assertError(api.get("/v1/folders?limit=0", key), 422, "limit");
    assertError(api.get("/v1/folders?after=not-a-folder", key), 422, "after");
    assertError(api.get("/v1/folders?after=source-" + java.util.UUID.randomUUID(), key), 404, "names no folder");
    assertError(api.get("/v1/folders/" + folderId + "/files?before=file-" + java.util.UUID.randomUUID(), key), 404,
        "names no file");
    assertError(api.get("/v1/jobs?after=job-" + java.util.UUID.randomUUID(), key), 404, "names no job");
    assertError(api.get("/v1/folders/" + folderId + "/files?include_content=perhaps", key), 422, "include_content");
    assertError(api.get("/v1/folders/not-a-folder", key), 404, "not found");
    assertError(api.get("/v1/folders/" + folderId + "/files/not-a-file", key), 404, "not found");

    assertError(api.post("/v1/folders/" + folderId + "/upload", key, new JsonObject().put("file", "x")), 422,
        "multipart");
    assertError(api.upload("/v1/folders/" + folderId + "/upload", key, "document", "a.txt",
        "a".getBytes(StandardCharsets.UTF_8)), 422, "'file'");
    assertEquals(0, array(api.get("/v1/folders/" + folderId + "/files", key)).size(), "no file was stored");
    assertError(api.patch("/v1/agents/not-an-agent/folders/attach/" + folderId, key, null), 404, "not found");
    assertError(api.get("/v1/jobs/not-a-job", key), 404, "not found");
    assertError(api.post("/v1/sources/" + folderId + "/attach", key, null), 422, "agent_id");
  }

  @Test
  @DisplayName("the MemGPT 0.4 client's sources and jobs: create, name lookup, upload as a job polled to completed, attach, passages, documents")
  void memgptSourcesAndJobs() throws Exception {
    String key = api.newUser().getString("api_key");
    JsonObject source = api.post("/v1/sources", key, new JsonObject().put("name", "legacy")
        .put("description", "old docs").put("metadata_", new JsonObject().put("k", "v"))).json();
    String id = source.getString("id");
    assertTrue(id.startsWith("source-"));
    assertEquals("v", source.getJsonObject("metadata_").getString("k"));
    assertEquals(List.of(id), names(array(api.get("/v1/sources", key)), "id"));
    assertEquals("\"" + id + "\"", api.get("/v1/sources/name/legacy", key).body());
    assertEquals("newer docs", api.patch("/v1/sources/" + id, key, new JsonObject().put("description", "newer docs"))
        .json().getString("description"));

    Api.Response uploaded = api.upload("/v1/sources/" + id + "/upload", key, "file", "handbook.md",
        HANDBOOK.getBytes(StandardCharsets.UTF_8));
    assertEquals(200, uploaded.status(), uploaded.body());
    JsonObject job = uploaded.json();
    assertTrue(job.getString("id").startsWith("job-"), job::encode);
    JsonObject finished = null;
    for (int i = 0; i < 600 && finished == null; i++) {
      JsonObject polled = api.get("/v1/jobs/" + job.getString("id"), key).json();
      if (Set.of("completed", "failed").contains(polled.getString("status"))) {
        finished = polled;
      } else {
        Thread.sleep(50);
      }
    }
    assertNotNull(finished, "the job ended");
    assertEquals("completed", finished.getString("status"), finished::encode);
    assertEquals("handbook.md", finished.getJsonObject("metadata_").getString("filename"));
    assertNotNull(finished.getString("completed_at"));
    assertEquals(List.of(job.getString("id")), names(array(api.get("/v1/jobs", key)), "id"));
    assertEquals(0, array(api.get("/v1/jobs/active", key)).size());

    String agent = "agent-" + api.newAgent(key, "legacy-agent");
    JsonObject attached = api.post("/v1/sources/" + id + "/attach?agent_id=" + agent, key, null).json();
    assertEquals(id, attached.getString("id"));
    assertEquals(List.of(id), names(array(api.get("/v1/agents/" + agent + "/sources", key)), "id"));
    JsonArray passages = array(api.get("/v1/sources/" + id + "/passages", key));
    assertTrue(passages.encode().contains("Expense reports"), passages::encode);
    JsonArray documents = array(api.get("/v1/sources/" + id + "/documents", key));
    assertEquals(HANDBOOK, documents.getJsonObject(0).getString("text"));
    assertEquals(200, api.post("/v1/sources/" + id + "/detach?agent_id=" + agent, key, null).status());
    assertEquals(0, array(api.get("/v1/agents/" + agent + "/sources", key)).size());
    assertEquals(200, api.delete("/v1/sources/" + id, key).status());
    assertError(api.get("/v1/sources/" + id, key), 404, "not found");
  }

  @Test
  @DisplayName("the official Letta SDK: archival create/list/search/delete, a folder, an upload polled to completed, files, attach, delete")
  void officialSdk() {
    String key = api.newUser().getString("api_key");
    String agent = api.newAgent(key, "sdk-agent");
    NodeScript.Run run = NodeScript.run("letta-folders.cjs", Map.of("LETTA_BASE_URL", server.server().baseUrl(),
        "LETTA_API_KEY", key, "AGENT_ID", "agent-" + agent), 120);
    assertEquals(0, run.exitCode(), run.output());
  }
}
