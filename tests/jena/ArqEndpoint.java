// A minimal read-only SPARQL endpoint on Apache Jena ARQ, for the parity tests only (tests/test_jena.py):
// Debian packages Jena's libraries (libapache-jena-java) but not Fuseki. Started with Java's
// single-file source launcher; arguments are GRAPH_IRI=FILE pairs (N-Triples), the first also being
// the default graph. Listens on a free port on 127.0.0.1 (printed as "listening PORT"), answers POST
// or GET /query with query= (and default-graph-uri= to pick a graph): SELECT and ASK as SPARQL JSON
// results, CONSTRUCT and DESCRIBE as Turtle. There is no update: clients cannot change it.
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.sys.JenaSystem;

public class ArqEndpoint {
    static final Map<String, Dataset> GRAPHS = new HashMap<>();
    static Dataset first;

    public static void main(String[] args) throws Exception {
        JenaSystem.init();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            Dataset dataset = DatasetFactory.create();
            RDFDataMgr.read(dataset.getDefaultModel(), arg.substring(eq + 1), Lang.NTRIPLES);
            GRAPHS.put(arg.substring(0, eq), dataset);
            if (first == null) first = dataset;
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/query", ArqEndpoint::handle);
        server.start();
        System.out.println("listening " + server.getAddress().getPort());
        System.out.flush();
    }

    static Map<String, String> form(String text) {
        Map<String, String> fields = new HashMap<>();
        if (text == null) return fields;
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) continue;
            fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                       URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }

    static void handle(HttpExchange exchange) throws IOException {
        int status = 200;
        String type;
        byte[] out;
        try {
            Map<String, String> fields = form(exchange.getRequestURI().getRawQuery());
            fields.putAll(form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            Dataset dataset = fields.containsKey("default-graph-uri") ? GRAPHS.get(fields.get("default-graph-uri")) : first;
            if (dataset == null) throw new IllegalArgumentException("no such graph: " + fields.get("default-graph-uri"));
            Query query = QueryFactory.create(fields.get("query"));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (QueryExecution execution = QueryExecutionFactory.create(query, dataset)) {
                if (query.isSelectType()) {
                    ResultSetFormatter.outputAsJSON(bytes, execution.execSelect());
                    type = "application/sparql-results+json";
                } else if (query.isAskType()) {
                    ResultSetFormatter.outputAsJSON(bytes, execution.execAsk());
                    type = "application/sparql-results+json";
                } else {
                    Model model = query.isConstructType() ? execution.execConstruct() : execution.execDescribe();
                    RDFDataMgr.write(bytes, model, Lang.TURTLE);
                    type = "text/turtle";
                }
            }
            out = bytes.toByteArray();
        } catch (Exception e) {
            status = 400;
            type = "text/plain; charset=utf-8";
            out = e.toString().getBytes(StandardCharsets.UTF_8);
        }
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, out.length);
        exchange.getResponseBody().write(out);
        exchange.close();
    }
}
