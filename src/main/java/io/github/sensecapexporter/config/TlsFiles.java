package io.github.sensecapexporter.config;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Builds the HTTP server's {@link SSLContext} from a PEM certificate chain and PKCS#8 key, or from
 * a PKCS12 or JKS keystore, with only java.security. Every failure is a {@link SettingsException}
 * naming the key whose file is wrong; no message ever holds a password or key material.
 */
final class TlsFiles {

  private TlsFiles() {}

  /** A context serving {@code certFile}'s chain with {@code keyFile}'s key. */
  static SSLContext fromPem(String certKey, String certFile, String keyKey, String keyFile) {
    List<X509Certificate> chain = Pem.certificates(certKey, ConfigFiles.path(certKey, certFile));
    PrivateKey key = Pem.privateKey(keyKey, ConfigFiles.path(keyKey, keyFile));
    Pem.checkKeyMatches(keyKey, certKey, key, chain.get(0).getPublicKey());
    try {
      // An in-memory store only hands the key to the KeyManagerFactory; its password never leaves.
      char[] password = randomPassword();
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
      return context(store, password);
    } catch (GeneralSecurityException | IOException e) {
      throw new SettingsException(
          keyKey, "cannot use the key with the certificate (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** A context serving the key entry of a PKCS12 or JKS keystore (the format is detected). */
  static SSLContext fromKeystore(String fileKey, String file, String passwordKey, Secret password) {
    Path path = ConfigFiles.path(fileKey, file);
    ConfigFiles.requireReadable(fileKey, path);
    char[] chars = password.reveal().toCharArray();
    KeyStore store;
    try {
      store = KeyStore.getInstance(path.toFile(), chars);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new SettingsException(passwordKey, "does not open " + file + " (wrong password)");
      }
      throw new SettingsException(
          fileKey, "cannot read " + file + " as a PKCS12 or JKS keystore (" + describe(e) + ")");
    } catch (GeneralSecurityException e) {
      throw new SettingsException(
          fileKey, "is not a PKCS12 or JKS keystore: " + file + " (" + describe(e) + ")");
    }
    try {
      boolean hasKey = false;
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias) && store.getCertificate(alias) != null) {
          hasKey = true;
        }
      }
      if (!hasKey) {
        throw new SettingsException(
            fileKey, file + " holds no private key with a certificate chain");
      }
      return context(store, chars);
    } catch (UnrecoverableKeyException e) {
      throw new SettingsException(
          passwordKey,
          "opens " + file + " but not its private key: the key must have the keystore's password");
    } catch (GeneralSecurityException e) {
      throw new SettingsException(
          fileKey, "cannot use the key in " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static SSLContext context(KeyStore store, char[] password)
      throws GeneralSecurityException {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }

  private static char[] randomPassword() {
    SecureRandom random = new SecureRandom();
    char[] password = new char[24];
    for (int i = 0; i < password.length; i++) {
      password[i] = (char) ('a' + random.nextInt(26));
    }
    return password;
  }

  /** An exception's class only: its message could quote what it failed on. */
  private static String describe(Exception e) {
    return e.getClass().getSimpleName();
  }
}
