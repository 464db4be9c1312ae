package dev.engram.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
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
    HttpServerOptions options = new HttpServerOptions().setHost(settings.host()).setPort(settings.port())
        .setCompressionSupported(false).setMaxWebSocketFrameSize(65536).setMaxWebSocketMessageSize(
            (int) Math.min(Integer.MAX_VALUE, settings.maxBodyBytes()))
        .setMaxInitialLineLength(InvalidRequests.MAX_REQUEST_LINE_BYTES)
        .setMaxHeaderSize(InvalidRequests.MAX_HEADER_BYTES)
        // no HTTP/2 over cleartext: Vert.x 5.0.10 sometimes wrote body bytes where an upgraded h2c connection expected
        // a frame (the JDK's HttpClient, which asks for the upgrade, failed 3 of 800 concurrent GET /openapi.json:
        // HttpUpgradeTest); such clients now simply stay on HTTP/1.1
        .setHttp2ClearTextEnabled(false);
    if (settings.useSsl()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(settings.sslCertPath())
          .setKeyPath(settings.sslKeyPath()));
    }
    RouteTable routes = router(vertx, settings);
    server = vertx.createHttpServer(options)
        .requestHandler(request -> {
          if (!InvalidRequests.answerBadTarget(request)) {
            routes.handle(request);
          }
        })
        .invalidRequestHandler(InvalidRequests::answer);
    return server.listen();
  }

  /** The server's route table, with its JWT signer. */
  static RouteTable router(Vertx vertx, HttpSettings settings) {
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(settings.jwtSecret())));
    return ApiRouter.create(vertx, settings, jwt);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
