package dev.engram.kernel;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one codec for our bus messages, which are immutable records. Locally the same instance is handed over; across a
 * clustered bus the record travels as its class name and JSON (never Java serialization), and only classes of this
 * project are accepted on decode.
 */
public final class RecordCodec implements MessageCodec<Record, Record> {
  public static final String NAME = "engram-record";
  private static final String ALLOWED_PREFIX = "dev.engram.";

  @Override
  public void encodeToWire(Buffer buffer, Record record) {
    byte[] type = record.getClass().getName().getBytes(StandardCharsets.UTF_8);
    byte[] body;
    try {
      body = Json.MAPPER.writeValueAsBytes(record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    buffer.appendInt(type.length).appendBytes(type).appendInt(body.length).appendBytes(body);
  }

  @Override
  public Record decodeFromWire(int pos, Buffer buffer) {
    int typeLength = buffer.getInt(pos);
    String type = buffer.getString(pos + 4, pos + 4 + typeLength, "UTF-8");
    int bodyStart = pos + 4 + typeLength;
    int bodyLength = buffer.getInt(bodyStart);
    byte[] body = buffer.getBytes(bodyStart + 4, bodyStart + 4 + bodyLength);
    if (!type.startsWith(ALLOWED_PREFIX)) {
      throw new IllegalArgumentException("refusing to decode bus message of type " + type);
    }
    try {
      Class<?> cls = Class.forName(type);
      return (Record) Json.MAPPER.readValue(body, cls);
    } catch (ClassNotFoundException | IOException e) {
      throw new IllegalStateException("cannot decode bus message of type " + type, e);
    }
  }

  @Override
  public Record transform(Record record) {
    return record;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
