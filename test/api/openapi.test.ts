import { readFile } from "node:fs/promises";
import { Ajv2020 } from "ajv/dist/2020.js";
import { expect } from "chai";
import { openApiDocument, openApiPath, openApiText } from "../../src/api/openapi.js";
import { ROUTES } from "../../src/api/routes.js";

const doc = openApiDocument() as {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, object> };
};

describe("OpenAPI document", () => {
  it("docs/openapi.json is the generated document (regenerate: node dist/src/api/write-openapi.js)", async () => {
    const written = await readFile(new URL("../../../docs/openapi.json", import.meta.url), "utf8");
    expect(written === openApiText(), "docs/openapi.json is stale").to.equal(true);
  });

  it("is OpenAPI 3.1 with one operation per route, each path parameter declared", () => {
    expect(doc.openapi).to.equal("3.1.0");
    for (const route of ROUTES) {
      const op = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.url}`).to.not.equal(undefined);
      expect(op!.operationId).to.equal(route.operationId);
      const declared = (op!.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
      const inUrl = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
      expect(declared).to.deep.equal(inUrl);
      for (const status of Object.keys(route.responses)) expect(op!.responses).to.have.property(status);
      if (route.auth !== "public") expect(op!.responses).to.have.property("401");
    }
    const count = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0);
    expect(count).to.equal(ROUTES.length);
  });

  it("has every $ref resolving, and every component schema compiles as JSON Schema 2020-12", () => {
    const text = JSON.stringify(doc);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) expect(doc.components.schemas).to.have.property(name!);
    const ajv = new Ajv2020({ strict: false });
    // One root holding the components, so the document's own "#/components/schemas/…" refs resolve.
    ajv.addSchema({ $id: "urn:doorstep:openapi", components: doc.components }, "openapi");
    for (const name of Object.keys(doc.components.schemas)) {
      const validate = ajv.compile({ $ref: `urn:doorstep:openapi#/components/schemas/${name}` });
      expect(validate({ unexpected: true }), name).to.equal(false);
    }
  });
});
