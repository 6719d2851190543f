package io.github.sensecapexporter.config;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the {@link SSLContext} of a connection the exporter makes, to the broker or to the HTTP
 * API, from PEM files, with nothing but the JDK: a trust store of the CA certificates in {@code
 * ca-file} (or the JVM's own), and a client certificate chain from {@code cert-file} with its
 * PKCS#8 key from {@code key-file}. Every problem is a {@link SettingsException} naming the key of
 * the file at fault; the text of a key file never appears in a message.
 */
final class ClientTls {

  private ClientTls() {}

  /**
   * Trusts the CA certificates of {@code caFile}, named by {@code caKey}, and has none of its own.
   */
  static SSLContext trusting(String caKey, Path caFile) {
    return context(caKey, Optional.of(caFile), caKey, Optional.empty(), caKey, Optional.empty());
  }

  static SSLContext context(
      String caKey,
      Optional<Path> caFile,
      String certKey,
      Optional<Path> certFile,
      String keyKey,
      Optional<Path> keyFile) {
    TrustManager[] trust = null;
    if (caFile.isPresent()) {
      trust = trustManagers(caKey, Pem.certificates(caKey, caFile.get()));
    }
    KeyManager[] keys = null;
    if (certFile.isPresent() && keyFile.isPresent()) {
      List<X509Certificate> chain = Pem.certificates(certKey, certFile.get());
      PrivateKey key = Pem.privateKey(keyKey, keyFile.get());
      Pem.checkKeyMatches(keyKey, certKey, key, chain.get(0).getPublicKey());
      keys = keyManagers(certKey, chain, key);
    }
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new SettingsException(
          caFile.isPresent() ? caKey : certKey, "cannot set up TLS: " + e.getMessage());
    }
  }

  private static TrustManager[] trustManagers(String key, List<X509Certificate> cas) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new SettingsException(key, "cannot make a trust store of it: " + e.getMessage());
    }
  }

  private static KeyManager[] keyManagers(
      String key, List<X509Certificate> chain, PrivateKey privateKey) {
    // The store lives only in memory; its password protects nothing, but PKCS12 wants one.
    char[] password = Long.toHexString(new SecureRandom().nextLong()).toCharArray();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("client", privateKey, password, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return factory.getKeyManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new SettingsException(key, "cannot make a key store of it: " + e.getMessage());
    }
  }
}
