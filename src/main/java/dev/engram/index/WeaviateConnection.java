package dev.engram.index;

import io.weaviate.client6.v1.api.Authentication;
import io.weaviate.client6.v1.api.Config;
import io.weaviate.client6.v1.api.WeaviateClient;
import java.net.URI;

/**
 * Turns {@link IndexSettings} into a Weaviate client: REST at {@code WEAVIATE_URL} (http or https, default ports
 * 80/443), gRPC at {@code WEAVIATE_GRPC} ({@code host:port}; default the REST host on port 50051), optional API key.
 * Building the client contacts the server, so call {@link #connect} off the event loop.
 */
final class WeaviateConnection {
  static final int DEFAULT_GRPC_PORT = 50051;

  private WeaviateConnection() {}

  static Config config(IndexSettings settings) {
    URI rest = URI.create(settings.weaviateUrl());
    String scheme = rest.getScheme() == null ? "http" : rest.getScheme();
    String host = rest.getHost();
    if (host == null) {
      throw new IllegalArgumentException("WEAVIATE_URL must look like http://host:8080, got " + settings.weaviateUrl());
    }
    int port = rest.getPort() > 0 ? rest.getPort() : "https".equals(scheme) ? 443 : 80;
    String grpcHost = host;
    int grpcPort = DEFAULT_GRPC_PORT;
    String grpc = settings.weaviateGrpc();
    if (grpc != null && !grpc.isBlank()) {
      String hp = grpc.contains("://") ? grpc.substring(grpc.indexOf("://") + 3) : grpc;
      int colon = hp.lastIndexOf(':');
      grpcHost = colon > 0 ? hp.substring(0, colon) : hp;
      grpcPort = colon > 0 ? Integer.parseInt(hp.substring(colon + 1).replace("/", "")) : grpcPort;
    }
    String gh = grpcHost;
    int gp = grpcPort;
    return Config.of(c -> {
      c.scheme(scheme).httpHost(host).httpPort(port).grpcHost(gh).grpcPort(gp);
      if (settings.weaviateApiKey() != null && !settings.weaviateApiKey().isBlank()) {
        c.authentication(Authentication.apiKey(settings.weaviateApiKey()));
      }
      return c;
    });
  }

  /** A connected client; throws {@code WeaviateConnectException} when the server cannot be reached. */
  static WeaviateClient connect(IndexSettings settings) {
    return new WeaviateClient(config(settings));
  }
}
