package io.github.sensecapexporter.config;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and PKCS#8 private keys with nothing but the JDK, for the HTTPS endpoint
 * and the broker connection alike. Every problem is a {@link SettingsException} naming the key of
 * the file at fault; the text of a key file never appears in a message.
 */
final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final String CONVERT_KEY =
      "convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8";

  private Pem() {}

  /** One PEM block: its label ({@code CERTIFICATE}, {@code PRIVATE KEY}...) and its base64 body. */
  private record Block(String label, String base64) {}

  /** The certificates of a PEM file, in order; at least one. */
  static List<X509Certificate> certificates(String key, Path file) {
    List<Block> blocks = blocks(key, file);
    List<X509Certificate> certificates = new ArrayList<>();
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new SettingsException(key, "no X.509 support in this JVM: " + e.getMessage());
    }
    for (Block block : blocks) {
      if (!block.label().equals("CERTIFICATE")) {
        continue;
      }
      int number = certificates.size() + 1;
      try {
        byte[] der = decode(block);
        certificates.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      } catch (IllegalArgumentException | CertificateException | ClassCastException e) {
        throw new SettingsException(
            key, "certificate " + number + " in " + file + " cannot be parsed: " + e.getMessage());
      }
    }
    if (certificates.isEmpty()) {
      throw new SettingsException(
          key,
          file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)" + foundLabels(blocks));
    }
    return List.copyOf(certificates);
  }

  /** The one PKCS#8 private key of a PEM file, RSA or EC. */
  static PrivateKey privateKey(String key, Path file) {
    List<Block> blocks = blocks(key, file);
    List<Block> keys = new ArrayList<>();
    for (Block block : blocks) {
      switch (block.label()) {
        case "PRIVATE KEY" -> keys.add(block);
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" ->
            throw new SettingsException(
                key,
                file
                    + " holds a traditional (PKCS#1 or SEC1) "
                    + block.label()
                    + "; a PKCS#8 key (-----BEGIN PRIVATE KEY-----) is needed: "
                    + CONVERT_KEY);
        case "ENCRYPTED PRIVATE KEY" ->
            throw new SettingsException(
                key, file + " holds an encrypted key; it must be unencrypted: " + CONVERT_KEY);
        default -> {
          // Certificates or parameters beside the key are allowed and ignored.
        }
      }
    }
    if (keys.isEmpty()) {
      throw new SettingsException(
          key,
          file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)" + foundLabels(blocks));
    }
    if (keys.size() > 1) {
      throw new SettingsException(key, file + " holds " + keys.size() + " private keys, not one");
    }
    byte[] der;
    try {
      der = decode(keys.get(0));
    } catch (IllegalArgumentException e) {
      throw new SettingsException(key, "the private key in " + file + " is not valid base64");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
        // Try the next algorithm. The exception's text is not shown: it is about a secret.
      }
    }
    throw new SettingsException(
        key, "the private key in " + file + " cannot be parsed as a PKCS#8 RSA or EC key");
  }

  /** A key that does not belong to the certificate would only fail later, in the handshake. */
  static void checkKeyMatches(
      String keyKey, String certKey, PrivateKey privateKey, PublicKey publicKey) {
    String algorithm =
        switch (privateKey.getAlgorithm().toUpperCase(Locale.ROOT)) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> null;
        };
    boolean matches;
    try {
      if (algorithm == null || !privateKey.getAlgorithm().equals(publicKey.getAlgorithm())) {
        matches = false;
      } else {
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(privateKey);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(publicKey);
        verifier.update(probe);
        matches = verifier.verify(signature);
      }
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new SettingsException(
          keyKey,
          "is not the private key of the first certificate in "
              + certKey
              + " ("
              + privateKey.getAlgorithm()
              + " key, "
              + publicKey.getAlgorithm()
              + " certificate)");
    }
  }

  private static List<Block> blocks(String key, Path file) {
    // ISO-8859-1 reads any bytes; PEM is ASCII, so a binary (DER) file simply has no blocks.
    String text = new String(ConfigFiles.read(key, file), StandardCharsets.ISO_8859_1);
    List<Block> blocks = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(text);
    while (matcher.find()) {
      blocks.add(new Block(matcher.group(1), matcher.group(2)));
    }
    if (blocks.isEmpty()) {
      throw new SettingsException(
          key, file + " is not PEM (no -----BEGIN ...----- block; DER files must be converted)");
    }
    return blocks;
  }

  private static byte[] decode(Block block) {
    byte[] der = Base64.getMimeDecoder().decode(block.base64().strip());
    if (der.length == 0) {
      throw new IllegalArgumentException("empty " + block.label() + " block");
    }
    return der;
  }

  private static String foundLabels(List<Block> blocks) {
    return blocks.isEmpty()
        ? ""
        : "; found "
            + String.join(", ", blocks.stream().map(Block::label).distinct().toList())
            + " instead";
  }
}
