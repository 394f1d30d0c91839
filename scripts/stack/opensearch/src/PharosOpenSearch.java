import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node built from jars on the classpath, for Pharos's local stack and integration tests.
 *
 * <p>Why not the distribution's bootstrap: it refuses to run as root (CI runs as root) and installs a security
 * manager; a plain {@link Node} does neither. The modules a distribution would load from its modules/ folder are
 * passed as classpath plugins instead, referenced by class so that a missing jar fails the javac step loudly.
 *
 * <p>Arguments are node settings as {@code key=value} pairs; {@code path.home} and {@code node.name} are required.
 */
public final class PharosOpenSearch extends Node {
    private static final Collection<Class<? extends Plugin>> MODULES = List.of(
        Netty4Plugin.class,        // HTTP and transport
        ReindexPlugin.class,       // _reindex, _update_by_query, _delete_by_query
        CommonAnalysisPlugin.class,
        PainlessPlugin.class,      // scripts
        MapperExtrasPlugin.class   // scaled_float, rank_feature, search_as_you_type, …
    );

    private PharosOpenSearch(Environment environment) {
        super(environment, MODULES, true);
    }

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value, got: " + arg);
            builder.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Settings settings = builder.build();
        String nodeName = required(settings, "node.name");
        Path configDir = Path.of(required(settings, "path.home")).resolve("config");
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), configDir, () -> nodeName);

        PharosOpenSearch node = new PharosOpenSearch(environment);
        CountDownLatch closed = new CountDownLatch(1);
        // SIGTERM from `npm run stack -- down`: close the node so shards are flushed, then let main return.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
                LogManager.shutdown();
            }
        }, "pharos-opensearch-shutdown"));
        node.start();
        closed.await();
    }

    private static String required(Settings settings, String key) {
        String value = settings.get(key);
        if (value == null || value.isEmpty()) throw new IllegalArgumentException("missing setting " + key);
        return value;
    }
}
