/**
 * What GitLab sends for each `artifacts:reports` type (docs/runner-protocol.md §4.8): the fixed file name
 * (`Ci::JobArtifact::DEFAULT_FILE_NAMES`) and the server-mandated format
 * (`TYPE_AND_FORMAT_PAIRS`).
 */
export const ARTIFACT_REPORTS: Readonly<Record<string, { file: string; format: string }>> = {
  junit: { file: 'junit.xml', format: 'gzip' },
  metrics: { file: 'metrics.txt', format: 'gzip' },
  dotenv: { file: '.env', format: 'gzip' },
  cobertura: { file: 'cobertura-coverage.xml', format: 'gzip' },
  jacoco: { file: 'jacoco.xml', format: 'gzip' },
  cyclonedx: { file: 'gl-sbom.cdx.json', format: 'gzip' },
  annotations: { file: 'gl-annotations.json', format: 'gzip' },
  lsif: { file: 'lsif.json', format: 'zip' },
  codequality: { file: 'gl-code-quality-report.json', format: 'raw' },
  sast: { file: 'gl-sast-report.json', format: 'raw' },
  secret_detection: { file: 'gl-secret-detection-report.json', format: 'raw' },
  dependency_scanning: { file: 'gl-dependency-scanning-report.json', format: 'raw' },
  container_scanning: { file: 'gl-container-scanning-report.json', format: 'raw' },
  dast: { file: 'gl-dast-report.json', format: 'raw' },
  api_fuzzing: { file: 'gl-api-fuzzing-report.json', format: 'raw' },
  coverage_fuzzing: { file: 'gl-coverage-fuzzing-report.json', format: 'raw' },
  performance: { file: 'performance.json', format: 'raw' },
  browser_performance: { file: 'browser-performance.json', format: 'raw' },
  load_performance: { file: 'load-performance.json', format: 'raw' },
  terraform: { file: 'tfplan.json', format: 'raw' },
  accessibility: { file: 'gl-accessibility.json', format: 'raw' },
  requirements: { file: 'requirements.json', format: 'raw' },
};
