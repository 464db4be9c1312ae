package dev.engram.http;

import static dev.engram.http.Problems.assertError;
import static dev.engram.http.Problems.assertOk;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The admin routes: users and their API keys, behind the admin password. */
class AdminApiTest {
  private static final String KEY_FORMAT = "sk-[0-9a-f]{48}";

  private final Api api = TestServer.shared().checkedApi(); // every answer checked against /openapi.json

  @BeforeEach
  void reset() {
    TestServer.llm().reset();
  }

  @Test
  @DisplayName("POST /admin/users with {} creates a user with a fresh UUID and an sk- key that works on /api")
  void createUserWithEmptyBody() {
    Api.Response r = api.post("/admin/users", TestServer.ADMIN, new JsonObject());
    assertOk(r);
    String userId = r.json().getString("user_id");
    String key = r.json().getString("api_key");
    assertEquals(userId, UUID.fromString(userId).toString());
    assertTrue(key.matches(KEY_FORMAT), key);
    assertOk(api.get("/api/agents", key));
  }

  @Test
  @DisplayName("POST /admin/users with no body at all also creates a user")
  void createUserWithoutBody() {
    Api.Response r = api.post("/admin/users", TestServer.ADMIN, null);
    assertOk(r);
    assertTrue(r.json().getString("api_key").matches(KEY_FORMAT), r.body());
  }

  @Test
  @DisplayName("an explicit user_id is kept, and creating it a second time is a 409 conflict")
  void explicitUserIdAndDuplicate() {
    String id = UUID.randomUUID().toString();
    Api.Response first = api.post("/admin/users", TestServer.ADMIN, new JsonObject().put("user_id", id));
    assertOk(first);
    assertEquals(id, first.json().getString("user_id"));

    Api.Response again = api.post("/admin/users", TestServer.ADMIN, new JsonObject().put("user_id", id));
    assertError(again, 409, id, "already exists");
  }

  @Test
  @DisplayName("only canonical user ids are taken: 1-1-1-1-1, 35 characters, upper case or no hyphens are a 422 that"
      + " creates, deletes and finds no one")
  void onlyCanonicalUserIds() {
    // Java's UUID parser reads "1-1-1-1-1" as this id, and would have created or deleted it
    String padded = "00000001-0001-0001-0001-000000000001";
    String real = UUID.randomUUID().toString();
    for (String id : List.of("1-1-1-1-1", real.substring(1), real.toUpperCase(), real.replace("-", ""),
        real + "0", "not-a-uuid")) {
      assertError(api.post("/admin/users", TestServer.ADMIN, new JsonObject().put("user_id", id)), 422, "user_id",
          "36");
      assertError(api.delete("/admin/users?user_id=" + id, TestServer.ADMIN), 422, "user_id");
      assertError(api.get("/admin/users/keys?user_id=" + id, TestServer.ADMIN), 422, "user_id");
      assertError(api.post("/admin/users/keys", TestServer.ADMIN, new JsonObject().put("user_id", id)), 422,
          "user_id");
    }
    JsonArray users = api.get("/admin/users", TestServer.ADMIN).json().getJsonArray("user_list");
    assertFalse(users.contains(new JsonObject().put("user_id", padded)), "no user the caller did not name");
    assertFalse(users.contains(new JsonObject().put("user_id", real)));

    assertOk(api.post("/admin/users", TestServer.ADMIN, new JsonObject().put("user_id", padded)));
    assertError(api.delete("/admin/users?user_id=1-1-1-1-1", TestServer.ADMIN), 422, "user_id");
    assertTrue(api.get("/admin/users", TestServer.ADMIN).json().getJsonArray("user_list")
        .contains(new JsonObject().put("user_id", padded)), "a lenient spelling deletes no one");
    assertOk(api.delete("/admin/users?user_id=" + padded, TestServer.ADMIN));
    assertError(api.delete("/admin/users?user_id=00000000-0000-0000-0000-000000000000", TestServer.ADMIN), 422,
        "default user cannot be deleted");
  }

  @Test
  @DisplayName("GET /admin/users lists a created user as {\"user_list\": [{\"user_id\"}]}")
  void listUsers() {
    String id = api.newUser().getString("user_id");
    Api.Response r = api.get("/admin/users", TestServer.ADMIN);
    assertOk(r);
    JsonArray list = r.json().getJsonArray("user_list");
    assertTrue(list.contains(new JsonObject().put("user_id", id)), r.body());
    assertTrue(list.contains(new JsonObject().put("user_id", "00000000-0000-0000-0000-000000000000")), r.body());
  }

  @Test
  @DisplayName("a second key can be created; the key list shows two hints, neither of which is a usable key")
  void createAndListKeys() {
    JsonObject user = api.newUser();
    String userId = user.getString("user_id");
    String first = user.getString("api_key");
    Api.Response created = api.post("/admin/users/keys", TestServer.ADMIN, new JsonObject().put("user_id", userId));
    assertOk(created);
    String second = created.json().getString("api_key");
    assertTrue(second.matches(KEY_FORMAT), second);
    assertNotEquals(first, second);
    assertOk(api.get("/api/agents", second));

    Api.Response listed = api.get("/admin/users/keys?user_id=" + userId, TestServer.ADMIN);
    assertOk(listed);
    JsonArray hints = listed.json().getJsonArray("api_key_list");
    assertEquals(2, hints.size(), listed.body());
    for (Object hint : hints) {
      String h = (String) hint;
      assertFalse(h.equals(first) || h.equals(second), "the key list shows a full key: " + h);
      assertTrue(h.length() < first.length(), h);
      // a hint is a key that does not authenticate
      assertEquals(403, api.get("/api/agents", h).status(), h);
    }
    // each hint lets an admin tell which key it is
    assertTrue(hints.stream().anyMatch(h -> ((String) h).endsWith(first.substring(first.length() - 4))), listed.body());
    assertTrue(hints.stream().anyMatch(h -> ((String) h).endsWith(second.substring(second.length() - 4))),
        listed.body());
  }

  @Test
  @DisplayName("a deleted key is refused with 403 on /api while the user's other key keeps working")
  void deleteKey() {
    JsonObject user = api.newUser();
    String userId = user.getString("user_id");
    String doomed = user.getString("api_key");
    String kept = api.post("/admin/users/keys", TestServer.ADMIN, new JsonObject().put("user_id", userId)).json()
        .getString("api_key");
    // both used once, so that any credential cache holds them
    assertOk(api.get("/api/agents", doomed));
    assertOk(api.get("/api/agents", kept));

    Api.Response deleted = api.delete("/admin/users/keys?api_key=" + doomed, TestServer.ADMIN);
    assertOk(deleted);
    assertEquals(doomed, deleted.json().getString("api_key_deleted"));
    assertNotNull(deleted.json().getString("message"), deleted.body());

    assertError(api.get("/api/agents", doomed), 403, "Authentication error");
    assertOk(api.get("/api/agents", kept));
    assertEquals(1, api.get("/admin/users/keys?user_id=" + userId, TestServer.ADMIN).json()
        .getJsonArray("api_key_list").size());
    // deleting it again: it is gone
    assertError(api.delete("/admin/users/keys?api_key=" + doomed, TestServer.ADMIN), 404, "does not exist");
  }

  @Test
  @DisplayName("a deleted user's keys stop working and its agents are gone, even if the id is created again")
  void deleteUser() {
    JsonObject user = api.newUser();
    String userId = user.getString("user_id");
    String key = user.getString("api_key");
    String agentId = api.newAgent(key, "doomed-agent");
    assertOk(api.get("/api/agents/" + agentId + "/config", key));

    Api.Response deleted = api.delete("/admin/users?user_id=" + userId, TestServer.ADMIN);
    assertOk(deleted);
    assertEquals(new JsonObject().put("message", "User successfully deleted.").put("user_id_deleted", userId),
        deleted.json());

    assertError(api.get("/api/agents", key), 403, "Authentication error");
    assertFalse(api.get("/admin/users", TestServer.ADMIN).json().getJsonArray("user_list")
        .contains(new JsonObject().put("user_id", userId)));

    // the same id created again is a new, empty user: the old agent does not come back with it
    String newKey = api.post("/admin/users", TestServer.ADMIN, new JsonObject().put("user_id", userId)).json()
        .getString("api_key");
    Api.Response agents = api.get("/api/agents", newKey);
    assertOk(agents);
    assertEquals(0, agents.json().getInteger("num_agents"), agents.body());
    assertError(api.get("/api/agents/" + agentId + "/config", newKey), 404, agentId);
    assertError(api.get("/api/agents/" + agentId + "/memory", newKey), 404, agentId);
    assertError(api.get("/api/agents/" + agentId + "/messages?start=0&count=10", newKey), 404, agentId);
    assertError(api.get("/api/agents", key), 403, "Authentication error");
  }

  @Test
  @DisplayName("unknown users and keys are 404 on every admin route that names one")
  void unknownUserOrKey() {
    String nobody = UUID.randomUUID().toString();
    assertError(api.delete("/admin/users?user_id=" + nobody, TestServer.ADMIN), 404, nobody);
    assertError(api.get("/admin/users/keys?user_id=" + nobody, TestServer.ADMIN), 404, nobody);
    assertError(api.post("/admin/users/keys", TestServer.ADMIN, new JsonObject().put("user_id", nobody)), 404,
        nobody);
    String neverIssued = "sk-" + "0".repeat(48);
    assertError(api.delete("/admin/users/keys?api_key=" + neverIssued, TestServer.ADMIN), 404, "does not exist");
  }

  @Test
  @DisplayName("the admin routes answer 401 without the admin password, with a wrong one, and with a user's key")
  void adminPasswordRequired() {
    String userKey = api.newUser().getString("api_key");
    for (String path : List.of("/admin/users", "/admin/users/keys?user_id=" + UUID.randomUUID())) {
      assertError(api.get(path, null), 401, "admin password");
      assertError(api.get(path, "not-the-password"), 401, "admin password");
      assertError(api.get(path, userKey), 401, "admin password");
    }
    int before = api.get("/admin/users", TestServer.ADMIN).json().getJsonArray("user_list").size();
    assertError(api.post("/admin/users", userKey, new JsonObject()), 401, "admin password");
    assertError(api.post("/admin/users", TestServer.ADMIN + "x", new JsonObject()), 401, "admin password");
    assertEquals(before, api.get("/admin/users", TestServer.ADMIN).json().getJsonArray("user_list").size());
  }
}
