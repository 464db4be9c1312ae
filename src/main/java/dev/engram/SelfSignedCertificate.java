package dev.engram;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A self-signed certificate for localhost, for {@code --use-ssl} without a certificate of one's own. */
final class SelfSignedCertificate {
  record PemPair(Path cert, Path key) {}

  private SelfSignedCertificate() {}

  /** Reuses the pair in {@code dir} when present, otherwise creates one valid for a year. */
  static PemPair ensure(Path dir, String host) throws IOException {
    Path cert = dir.resolve("self-signed-cert.pem");
    Path key = dir.resolve("self-signed-key.pem");
    if (Files.exists(cert) && Files.exists(key)) {
      return new PemPair(cert, key);
    }
    Files.createDirectories(dir);
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=" + host);
      Instant now = Instant.now();
      var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()),
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(365))), subject,
          pair.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
          new GeneralName(GeneralName.dNSName, host)}));
      X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withRSA")
          .build(pair.getPrivate()));
      write(cert, holder);
      write(key, pair.getPrivate());
      return new PemPair(cert, key);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot create a self-signed certificate", e);
    }
  }

  private static void write(Path file, Object pem) throws IOException {
    try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(pem);
    }
  }
}
