// Rules that check themselves: `npm run lint` (and `npm test`, which runs it first).
// Type-aware rules need the TypeScript project; they catch promises nobody waits for or catches.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "homebridge-ui/**", "scripts/**", "docs/**"] },
  {
    files: ["**/*.ts"],
    extends: [eslint.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": ["error", { ignoreVoid: false }],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false, attributes: false } }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // It misreads `let x = NaN; try { x = ... } finally { report(x) }`, a pattern the benchmarks use on purpose.
      "no-useless-assignment": "off",
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      "max-len": ["error", { code: 180, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    // Tests reach into library internals (matter.js, HAP) where no public type exists; product code may not.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
