package dev.engram.http;

import static dev.engram.http.FuzzAnswers.assertUnchanged;

import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;

/**
 * The two users of a fuzz pass, the owner (who sends the battery) and another user (whose ids it borrows), with their
 * state and the admin's list of users as they were before it: what every battery must leave as it was.
 */
final class FuzzUsers {
  final FuzzFixture owner;
  final FuzzFixture foreign;
  private final TestServer server;
  private final JsonObject ownerBefore;
  private final JsonObject foreignBefore;
  private final JsonObject usersBefore;

  private FuzzUsers(TestServer server, FuzzFixture owner, FuzzFixture foreign) {
    this.server = server;
    this.owner = owner;
    this.foreign = foreign;
    this.ownerBefore = UserSnapshot.read(server, owner);
    this.foreignBefore = UserSnapshot.read(server, foreign);
    this.usersBefore = UserSnapshot.users(server);
  }

  static FuzzUsers create(TestServer server, String label) throws InterruptedException {
    return new FuzzUsers(server, FuzzFixture.create(server.api, label + "-owner"),
        FuzzFixture.create(server.api, label + "-foreign"));
  }

  FuzzTargets targets() {
    return new FuzzTargets(owner, foreign);
  }

  /** Fails naming what changed in either user's state, or in the list of users, and if the model was called. */
  void assertNothingStored() {
    assertUnchanged("the owner's", ownerBefore, UserSnapshot.read(server, owner));
    assertUnchanged("another user's", foreignBefore, UserSnapshot.read(server, foreign));
    assertUnchanged("the admin's list of users", usersBefore, UserSnapshot.users(server));
    if (TestServer.llm().requestCount() != 0) {
      throw new AssertionError("a refused request reached the model: " + TestServer.llm().requests());
    }
  }
}
