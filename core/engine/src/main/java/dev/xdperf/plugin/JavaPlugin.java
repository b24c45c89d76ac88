package dev.xdperf.plugin;

import dev.xdperf.abi.AbiException;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.PluginDescription;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplatePlugin;
import dev.xdperf.abi.TemplateSet;
import java.lang.reflect.InvocationTargetException;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginRepository;
import org.pf4j.PluginState;
import org.pf4j.PluginStatusProvider;
import org.pf4j.PluginWrapper;
import org.pf4j.RuntimeMode;

/**
 * A Java plugin: a PF4J plugin jar (or zip) with one {@link TemplatePlugin} extension. It runs
 * in this JVM with its full rights, so it is only ever loaded from a file the operator
 * installed or named. Loading checks the descriptor, the host-version constraint and the
 * template ABI version; every call runs on its own thread under a timeout, and every failure
 * becomes one PluginException.
 */
public final class JavaPlugin implements LoadedPlugin {
    /** Java plugins are trusted code; the timeout only keeps a hung plugin from hanging the CLI. */
    static final Duration MIN_CALL_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Duration timeout;
    private final DefaultPluginManager manager;
    private final TemplatePlugin extension;
    private final PluginDescription description;

    private JavaPlugin(String name, Duration timeout, DefaultPluginManager manager, TemplatePlugin extension,
                       PluginDescription description) {
        this.name = name;
        this.timeout = timeout;
        this.manager = manager;
        this.extension = extension;
        this.description = description;
    }

    /** Loads, starts and checks the plugin in {@code file} for a host of version {@code hostVersion}. */
    public static JavaPlugin load(Path file, String hostVersion, PluginLimits limits) {
        JavaPluginFile f = JavaPluginFile.read(file);
        f.requireHost(hostVersion);
        String name = f.id();
        Duration timeout = limits.callTimeout().compareTo(MIN_CALL_TIMEOUT) > 0 ? limits.callTimeout() : MIN_CALL_TIMEOUT;
        Path abs = file.toAbsolutePath();
        DefaultPluginManager manager = new Manager(abs.getParent());
        manager.setSystemVersion(hostVersion);
        boolean ok = false;
        try {
            String id;
            try {
                id = manager.loadPlugin(abs);
            } catch (RuntimeException e) {
                throw new PluginException("load Java plugin " + file + ": " + reason(e));
            }
            if (id == null) {
                throw new PluginException("load Java plugin " + file + ": PF4J could not unpack or read it");
            }
            PluginWrapper w = manager.getPlugin(id);
            if (w.getPluginState() == PluginState.DISABLED) {
                throw new PluginException("plugin " + name + " requires xdperf " + f.requires() + ", this is xdperf " + hostVersion);
            }
            PluginState state = manager.startPlugin(id);
            if (state != PluginState.STARTED) {
                Throwable why = w.getFailedException();
                throw new PluginException("plugin " + name + ": start failed: " + (why == null ? "it ended in state " + state : thrown(why)));
            }
            TemplatePlugin extension = instantiate(manager, w, name);
            PluginDescription description = call(name, "describe", timeout, w.getPluginClassLoader(), extension::describe);
            if (description == null) {
                throw new PluginException("plugin " + name + ": describe returned nothing");
            }
            if (!description.id().equals(name)) {
                throw new PluginException("plugin " + name + ": describe says its id is '" + description.id()
                        + "' but its descriptor says '" + name + "' (make them equal)");
            }
            try {
                description.abi().requireAcceptedBy(AbiVersion.HOST, name);
            } catch (AbiException e) {
                throw new PluginException(e.getMessage());
            }
            ok = true;
            return new JavaPlugin(name, timeout, manager, extension, description);
        } finally {
            if (!ok) {
                unload(manager);
            }
        }
    }

    /** The plugin's one TemplatePlugin extension, created here so that a failing constructor is reported, not skipped. */
    private static TemplatePlugin instantiate(DefaultPluginManager manager, PluginWrapper w, String name) {
        List<Class<? extends TemplatePlugin>> classes = manager.getExtensionClasses(TemplatePlugin.class, w.getPluginId());
        if (classes.size() != 1) {
            if (classes.isEmpty()) {
                String hint = bundlesHostAbi(w)
                        ? "it bundles its own copy of xdperf-host-abi: depend on it with scope provided"
                        : "annotate the class with @org.pf4j.Extension and compile with pf4j on the class path, so that"
                        + " META-INF/extensions.idx is written";
                throw new PluginException("plugin " + name + " has no " + TemplatePlugin.class.getSimpleName()
                        + " extension (" + hint + ")");
            }
            throw new PluginException("plugin " + name + " has " + classes.size() + " " + TemplatePlugin.class.getSimpleName()
                    + " extensions, exactly one is allowed: " + classes.stream().map(Class::getName).toList());
        }
        Class<? extends TemplatePlugin> c = classes.get(0);
        return call(name, "create " + c.getSimpleName(), MIN_CALL_TIMEOUT, w.getPluginClassLoader(), () -> {
            try {
                return c.getDeclaredConstructor().newInstance();
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw e.getCause() instanceof Exception x ? x : e;
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(c.getName() + " has no public constructor without parameters");
            }
        });
    }

    private static boolean bundlesHostAbi(PluginWrapper w) {
        return w.getPluginClassLoader() instanceof URLClassLoader u
                && u.findResource(TemplatePlugin.class.getName().replace('.', '/') + ".class") != null;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "java";
    }

    @Override
    public AbiVersion abi() {
        return description.abi();
    }

    @Override
    public PluginDescription describe() {
        return description;
    }

    @Override
    public TemplateSet generate(RunRequest request) {
        TemplateSet set = call(name, "generate", timeout, extension.getClass().getClassLoader(), () -> extension.generate(request));
        if (set == null) {
            throw new PluginException("plugin " + name + ": generate returned nothing");
        }
        if (!set.abi().equals(description.abi())) {
            throw new PluginException("plugin " + name + ": generate returned templates for ABI " + set.abi()
                    + " but the plugin declares " + description.abi());
        }
        return set;
    }

    @Override
    public void close() {
        unload(manager);
    }

    private static void unload(DefaultPluginManager manager) {
        try {
            manager.stopPlugins();
            manager.unloadPlugins();
        } catch (RuntimeException ignored) {
            // closing is best effort: the process is usually about to end
        }
    }

    /**
     * Runs one call into the plugin on its own thread, with the plugin's class loader as the
     * context class loader, under a timeout; turns every way it can fail into one sentence.
     */
    static <T> T call(String name, String function, Duration timeout, ClassLoader loader, Callable<T> body) {
        FutureTask<T> task = new FutureTask<>(body);
        Thread t = new Thread(task, "xdperf-plugin-" + name + "-" + function);
        t.setDaemon(true);
        t.setContextClassLoader(loader);
        t.start();
        String prefix = "plugin " + name + ": " + function;
        try {
            return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            t.interrupt();
            throw new PluginException(prefix + " did not finish within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            t.interrupt();
            Thread.currentThread().interrupt();
            throw new PluginException(prefix + " was interrupted");
        } catch (ExecutionException e) {
            throw new PluginException(prefix + " failed: " + thrown(e.getCause()));
        }
    }

    /** What a plugin threw, as the end of a sentence: its own message for a refusal, class and message for a bug. */
    static String thrown(Throwable c) {
        String msg = c.getMessage() == null ? "" : c.getMessage().strip();
        if ((c instanceof IllegalArgumentException || c instanceof IllegalStateException) && !msg.isEmpty()) {
            return msg;   // the plugin's own refusal, in its words
        }
        if (c instanceof OutOfMemoryError || c instanceof StackOverflowError) {
            return "it exhausted the JVM's " + (c instanceof StackOverflowError ? "stack" : "memory");
        }
        return "it threw " + c.getClass().getName() + (msg.isEmpty() ? "" : ": " + msg);
    }

    /** PF4J's exceptions carry "{}" templates already filled in; keep the first line. */
    private static String reason(RuntimeException e) {
        Throwable c = e;
        while (c.getCause() != null && (c.getMessage() == null || c.getMessage().isBlank())) {
            c = c.getCause();
        }
        String msg = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().strip().split("\n")[0];
        return msg.isEmpty() ? c.getClass().getSimpleName() : Character.toLowerCase(msg.charAt(0)) + msg.substring(1);
    }

    /**
     * PF4J's default manager, narrowed to what xdperf needs: always deployment mode (no
     * development layouts from a system property), no plugin repository (plugins are loaded
     * one by one, never by scanning), and no enabled/disabled lists.
     */
    private static final class Manager extends DefaultPluginManager {
        Manager(Path root) {
            super(root);
        }

        @Override
        public RuntimeMode getRuntimeMode() {
            return RuntimeMode.DEPLOYMENT;
        }

        @Override
        protected PluginRepository createPluginRepository() {
            return new PluginRepository() {
                @Override
                public List<Path> getPluginPaths() {
                    return List.of();
                }

                @Override
                public boolean deletePluginPath(Path pluginPath) {
                    return false;
                }
            };
        }

        @Override
        protected PluginStatusProvider createPluginStatusProvider() {
            return new PluginStatusProvider() {
                @Override
                public boolean isPluginDisabled(String pluginId) {
                    return false;
                }

                @Override
                public void disablePlugin(String pluginId) {
                }

                @Override
                public void enablePlugin(String pluginId) {
                }
            };
        }
    }
}
