package dev.engram.store;

import dev.engram.kernel.Addresses;
import dev.engram.kernel.BusService;
import dev.engram.store.StoreProtocol.*;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The persistence verticle: the only holder of a PostgreSQL pool. Applies migrations, then serves the store.* addresses. */
public final class StoreVerticle extends VerticleBase {
  private final PgConnectOptions connectOptions;
  private final int poolSize;
  private Pool pool;

  public StoreVerticle(PgConnectOptions connectOptions, int poolSize) {
    this.connectOptions = connectOptions;
    this.poolSize = poolSize;
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(poolSize)).connectingTo(connectOptions)
        .using(vertx).build();
    var users = new UserRepository(pool);
    var agents = new AgentRepository(pool);
    var messages = new MessageRepository(pool);
    return Migrator.migrate(pool).compose(applied -> {
      List<Future<?>> registrations = new ArrayList<>();
      registrations.add(serve(Addresses.USER_CREATE, users::create));
      registrations.add(serve(Addresses.USER_LIST, (ListUsers r) -> users.list()));
      registrations.add(serve(Addresses.USER_DELETE, (DeleteUser r) -> users.delete(r)
          .onSuccess(d -> vertx.eventBus().publish(Addresses.AUTH_REVOKED, r.userId()))));
      registrations.add(serve(Addresses.USER_EXISTS, users::exists));
      registrations.add(serve(Addresses.KEY_CREATE, users::createKey));
      registrations.add(serve(Addresses.KEY_LIST, users::listKeys));
      registrations.add(serve(Addresses.KEY_DELETE, (DeleteKey r) -> users.deleteKey(r)
          .onSuccess(u -> vertx.eventBus().publish(Addresses.AUTH_REVOKED, u.userId())).map(u -> new Done())));
      registrations.add(serve(Addresses.KEY_RESOLVE, users::resolveKey));
      registrations.add(serve(Addresses.AGENT_INSERT, agents::insert));
      registrations.add(serve(Addresses.AGENT_LOAD, agents::load));
      registrations.add(serve(Addresses.AGENT_LIST, agents::list));
      registrations.add(serve(Addresses.AGENT_DELETE, agents::delete));
      registrations.add(serve(Addresses.AGENT_SAVE, agents::save));
      registrations.add(serve(Addresses.MESSAGE_PAGE, messages::page));
      registrations.add(serve(Addresses.MESSAGE_CURSOR, messages::cursor));
      registrations.add(serve(Addresses.MESSAGE_SEARCH, messages::search));
      return Future.all(registrations);
    });
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  private <Q extends Record> Future<Void> serve(String address, Function<Q, Future<? extends Record>> handler) {
    return BusService.serve(vertx, address, handler);
  }
}
