package dev.engram.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/** The HTTP verticle (one instance per core, sharing the port): builds the router and listens. No SQL, no LLM. */
public final class HttpVerticle extends VerticleBase {
  private final HttpSettings settings;
  private HttpServer server;

  public HttpVerticle(HttpSettings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(settings.jwtSecret())));
    HttpServerOptions options = new HttpServerOptions().setHost(settings.host()).setPort(settings.port())
        .setCompressionSupported(false).setMaxWebSocketFrameSize(65536).setMaxWebSocketMessageSize(
            (int) Math.min(Integer.MAX_VALUE, settings.maxBodyBytes()));
    if (settings.useSsl()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(settings.sslCertPath())
          .setKeyPath(settings.sslKeyPath()));
    }
    server = vertx.createHttpServer(options).requestHandler(ApiRouter.create(vertx, settings, jwt));
    return server.listen();
  }

  public int actualPort() {
    return server.actualPort();
  }
}
