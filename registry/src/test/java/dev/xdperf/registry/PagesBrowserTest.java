package dev.xdperf.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pages for people, in a real headless Chromium: search from the form, then a plugin's page. */
class PagesBrowserTest {
    @RegisterExtension
    final TestRegistry reg = new TestRegistry();

    @Test
    void searchThenPluginPage() throws Exception {
        WebDriver.requireChromium();
        reg.publish("xdperf", reg.token, reg.key, "tcp", "1.0.0", "1.0");
        var v11 = reg.publish("xdperf", reg.token, reg.key, "tcp", "1.1.0", "1.0");
        reg.publish("acme", reg.acmeToken, reg.acmeKey, "tcp-syn", "0.1.0", "1.0");
        reg.publish("xdperf", reg.token, reg.key, "icmp", "1.0.0", "1.0");
        reg.client.setYanked(reg.token, "xdperf", "tcp", "1.1.0", true);
        reg.client.download(v11.artifactSha256());
        reg.client.download(v11.artifactSha256());

        try (WebDriver browser = new WebDriver()) {
            try {
                browser.open(reg.server.url() + "/");
                assertEquals("xdperf plugins", browser.title());
                assertEquals(3, browser.find("tr.result").size(), "all plugins listed");

                browser.type(browser.one("#q"), "tcp");
                browser.click(browser.one("button[type=submit]"));
                assertTrue(browser.currentUrl().contains("q=tcp"), browser.currentUrl());
                List<String> rows = browser.find("tr.result");
                assertEquals(2, rows.size());
                assertTrue(browser.text(rows.get(0)).startsWith("xdperf/tcp 1.0.0 wasm 1.0"), browser.text(rows.get(0)));
                assertTrue(browser.text(rows.get(1)).startsWith("acme/tcp-syn 0.1.0"), browser.text(rows.get(1)));

                browser.click(browser.one("tr.result a[href='/plugins/xdperf/tcp']"));
                assertEquals("xdperf/tcp", browser.text(browser.one("#plugin")));
                assertEquals("test plugin tcp", browser.text(browser.one("#description")));
                assertEquals("xdperf", browser.text(browser.one("#publisher")));
                assertEquals("2", browser.text(browser.one("#downloads")));
                List<String> versions = browser.find("tr.version");
                assertEquals(2, versions.size());
                assertEquals("1.1.0", browser.attribute(versions.get(0), "data-version"));
                assertTrue(browser.attribute(versions.get(0), "class").contains("yanked"));
                assertEquals("yanked", browser.text(browser.one("tr[data-version='1.1.0'] .state")));
                assertEquals("available", browser.text(browser.one("tr[data-version='1.0.0'] .state")));
                assertEquals("1.0", browser.text(browser.one("tr[data-version='1.0.0'] .abi")));
                assertEquals("2", browser.text(browser.one("tr[data-version='1.1.0'] .downloads")));
                assertEquals(Keys.fingerprint(reg.key.getPublic()), browser.text(browser.one("#keys .fingerprint")));
                assertEquals(Keys.fingerprint(reg.key.getPublic()), browser.text(browser.one("tr[data-version='1.0.0'] .key")));

                browser.open(reg.server.url() + "/plugins/xdperf/nosuch");
                assertEquals("not found", browser.title());
            } catch (AssertionError | Exception e) {
                System.err.println(browser.driverLog());
                throw e;
            }
        }
    }
}
