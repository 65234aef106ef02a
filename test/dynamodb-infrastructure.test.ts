/**
 * Soft-deletable DynamoDB tables found in infrastructure definitions (Terraform, CloudFormation / SAM, CDK): a
 * table whose TTL attribute is a soft-delete column; and a fixture project linted end to end through ESLint.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../src/index.js';
import { clearInfrastructureCache, definitionsInFile, environmentTables, tablesInFile, withInfrastructureTables } from '../src/schema/dynamodb-tables.js';
import { normalizeSettings } from '../src/settings.js';
import { lintFixtureSrc, squiggleLines } from './helpers/fixture-lint.js';

const names = (file: string, text: string) => tablesInFile(file, text).map((t) => `${t.name}:${t.attribute}`);

describe('Terraform', () => {
  it('reads aws_dynamodb_table with an enabled ttl block', () => {
    const text = [
      '# resource "aws_dynamodb_table" "commented" { name = "Nope" }',
      'resource "aws_dynamodb_table" "orders" {',
      '  name = "Orders" // the table',
      '  attribute { name = "pk" type = "S" }',
      '  global_secondary_index {',
      '    name = "by_status"',
      '    hash_key = "status"',
      '  }',
      '  ttl {',
      '    attribute_name = "deleted_at"',
      '    enabled = true',
      '  }',
      '  tags = { Name = "orders-${var.env}" }',
      '}',
      'resource "aws_dynamodb_table" "carts" {',
      '  name = "${var.prefix}-carts"',
      '  ttl {',
      '    attribute_name = "deleted_at"',
      '    enabled = true',
      '  }',
      '}',
      'resource "aws_dynamodb_table" "drafts" {',
      '  name = "Drafts"',
      '  policy = <<EOF',
      '  { "name": "NotThis", "ttl": { "attribute_name": "x" } }',
      'EOF',
      '  ttl {',
      '    attribute_name = "deleted_at"',
      '    enabled = false',
      '  }',
      '}',
      '/* resource "aws_dynamodb_table" "old" {',
      '  name = "Old" ttl { attribute_name = "deleted_at" enabled = true } } */',
    ].join('\n');
    // interpolated names are not literal; a disabled ttl is no TTL; comments and heredocs are skipped
    expect(names('main.tf', text)).toEqual(['Orders:deleted_at']);
  });
});

describe('CloudFormation', () => {
  it('reads YAML with short-form intrinsic functions', () => {
    const text = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Transform: AWS::Serverless-2016-10-31',
      'Parameters:',
      '  CartsName: { Type: String }',
      'Resources:',
      '  Orders:',
      '    Type: AWS::DynamoDB::Table',
      '    Properties:',
      '      TableName: Orders',
      '      TimeToLiveSpecification:',
      '        AttributeName: deleted_at',
      '        Enabled: true',
      '  Carts:',
      '    Type: AWS::DynamoDB::Table',
      '    Properties:',
      '      TableName: !Ref CartsName',
      '      TimeToLiveSpecification: { AttributeName: deleted_at, Enabled: true }',
      '  Drafts:',
      '    Type: AWS::DynamoDB::Table',
      '    Properties:',
      '      TableName: !Sub "${AWS::StackName}-drafts"',
      '      TimeToLiveSpecification: { AttributeName: deleted_at, Enabled: true }',
      '  Fn:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Environment:',
      '        Variables:',
      '          TABLE: !GetAtt [Orders, Arn]',
    ].join('\n');
    expect(names('template.yaml', text)).toEqual(['Orders:deleted_at']);
  });

  it('reads JSON templates (also CDK synth output) and Serverless resources', () => {
    const json = JSON.stringify({
      Resources: {
        A: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { TableName: 'Accounts', TimeToLiveSpecification: { AttributeName: 'deletedAt', Enabled: true } } },
        B: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'Logs', TimeToLiveSpecification: { AttributeName: 'deleted_at', Enabled: false } } },
      },
    });
    expect(names('stack.template.json', json)).toEqual(['Accounts:deletedAt']);
    const serverless = ['service: api', 'resources:', '  Resources:', '    T:', '      Type: AWS::DynamoDB::Table', '      Properties:', '        TableName: Items', '        TimeToLiveSpecification:', '          AttributeName: deleted_at', '          Enabled: true'].join('\n');
    expect(names('serverless.yml', serverless)).toEqual(['Items:deleted_at']);
  });

  it('a template that does not parse throws (the caller records it, never ESLint)', () => {
    expect(() => tablesInFile('template.yaml', 'Resources:\n  A: { Type: AWS::DynamoDB::Table\n')).toThrow();
  });
});

describe('CDK', () => {
  it('reads Table / TableV2 / CfnTable from the CDK DynamoDB module', () => {
    const text = [
      "import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';",
      "import { TableV2 as T2, CfnTable } from 'aws-cdk-lib/aws-dynamodb';",
      "import { aws_dynamodb as ddb } from 'aws-cdk-lib';",
      "const USERS = 'Users';",
      "new dynamodb.Table(this, 'Orders', { tableName: 'Orders', partitionKey, timeToLiveAttribute: 'deleted_at' });",
      "new T2(this, 'Users', { tableName: USERS, timeToLiveAttribute: 'deleted_at' });",
      "new ddb.Table(this, 'Carts', { tableName: `Carts`, timeToLiveAttribute: 'deletedAt' });",
      "new CfnTable(this, 'Raw', { tableName: 'Raw', timeToLiveSpecification: { attributeName: 'deleted_at', enabled: true } });",
      "new CfnTable(this, 'Off', { tableName: 'Off', timeToLiveSpecification: { attributeName: 'deleted_at', enabled: false } });",
      "new dynamodb.Table(this, 'Named', { tableName: `${stage}-named`, timeToLiveAttribute: 'deleted_at' });",
      "new dynamodb.Table(this, 'NoTtl', { tableName: 'NoTtl' });",
    ].join('\n');
    expect(names('lib/stack.ts', text)).toEqual(['Orders:deleted_at', 'Users:deleted_at', 'Carts:deletedAt', 'Raw:deleted_at']);
  });

  it('needs the binding: a Table class from elsewhere is not a DynamoDB table', () => {
    expect(names('lib/x.ts', "// aws-dynamodb\nimport { Table } from './ui';\nnew Table(this, 'x', { tableName: 'Orders', timeToLiveAttribute: 'deleted_at' });")).toEqual([]);
  });
});

describe('discovery', () => {
  let dir: string;
  afterEach(() => {
    clearInfrastructureCache();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const project = (deps: Record<string, string>, files: Record<string, string>): string => {
    dir = mkdtempSync(path.join(tmpdir(), 'sd-dynamo-'));
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'p', dependencies: deps }));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    return dir;
  };
  const TF = 'resource "aws_dynamodb_table" "o" {\n  name = "Orders"\n  ttl {\n    attribute_name = "deleted_at"\n    enabled = true\n  }\n}\nresource "aws_dynamodb_table" "s" {\n  name = "Sessions"\n  ttl {\n    attribute_name = "expires_at"\n    enabled = true\n  }\n}\n';

  it('adds tables whose TTL attribute is a soft-delete column; settings keep the last word', () => {
    const root = project({ '@aws-sdk/lib-dynamodb': '3' }, { 'infra/main.tf': TF });
    const found = withInfrastructureTables(normalizeSettings({}), root, path.join(root, 'src/a.ts'));
    expect([...found.dynamodb.tables]).toEqual([['Orders', { attribute: 'deleted_at' }]]);
    expect(found.tables.get('dynamodb.Orders')).toEqual({ active: 'deleted_at IS NULL' });
    const declared = withInfrastructureTables(normalizeSettings({ dynamodb: { tables: { Orders: false } } }), root, path.join(root, 'src/a.ts'));
    expect(declared.tables.get('dynamodb.Orders')).toBe(false);
    const columns = withInfrastructureTables(normalizeSettings({ columns: ['expires_at'] }), root, path.join(root, 'src/a.ts'));
    expect([...columns.dynamodb.tables.keys()]).toEqual(['Sessions']);
  });

  it('is off without an AWS dependency (unless globs are given), and with infrastructure: false', () => {
    const root = project({ express: '4' }, { 'infra/main.tf': TF, 'ops/tables.tf': TF.replace('Orders', 'Other') });
    const file = path.join(root, 'src/a.ts');
    expect(withInfrastructureTables(normalizeSettings({}), root, file).dynamodb.tables.size).toBe(0);
    expect([...withInfrastructureTables(normalizeSettings({ dynamodb: { infrastructure: ['ops/*.tf'] } }), root, file).dynamodb.tables.keys()]).toEqual(['Other']);
    expect(withInfrastructureTables(normalizeSettings({ dynamodb: { infrastructure: false } }), root, file).dynamodb.tables.size).toBe(0);
  });

  it('does not follow a link out of the project', () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'sd-dynamo-out-'));
    try {
      writeFileSync(path.join(outside, 'main.tf'), TF);
      const root = project({ 'aws-cdk-lib': '2' }, {});
      mkdirSync(path.join(root, 'infra'));
      symlinkSync(path.join(outside, 'main.tf'), path.join(root, 'infra/main.tf'));
      expect(withInfrastructureTables(normalizeSettings({}), root, path.join(root, 'src/a.ts')).dynamodb.tables.size).toBe(0);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('sees a table added to a definition (by file stamp)', async () => {
    const root = project({ '@aws-sdk/client-dynamodb': '3' }, { 'infra/main.tf': '' });
    const file = path.join(root, 'src/a.ts');
    expect(withInfrastructureTables(normalizeSettings({}), root, file).dynamodb.tables.size).toBe(0);
    writeFileSync(path.join(root, 'infra/main.tf'), TF);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the re-check pace
    expect([...withInfrastructureTables(normalizeSettings({}), root, file).dynamodb.tables.keys()]).toEqual(['Orders']);
  });
});

describe('a DynamoDB project, end to end', () => {
  it('reports the unfiltered reads and the hard deletes of tables its Terraform and CDK definitions mark, on the table names', async () => {
    clearInfrastructureCache();
    const project = fileURLToPath(new URL('./fixtures/dynamodb-project', import.meta.url));
    expect(await lintFixtureSrc(project)).toEqual([
      "src/orders.ts:10 apiMissing ORDERS",
      "src/orders.ts:30 apiCannotFilter Customers",
      "src/orders.ts:34 or-defeated Customers",
      // a hard delete of an order (the purge of a soft-deleted one and a session's end are fine)
      "src/orders.ts:42 apiHardDeletePurge ORDERS",
    ]);
  }, 60_000);
});

describe('environment variables naming tables', () => {
  const resolved = (file: string, text: string) => {
    const defined = definitionsInFile(file, text);
    const { environment, unnamed } = environmentTables(defined, ['deleted_at']);
    return { environment: Object.fromEntries(environment), unnamed: Object.fromEntries(unnamed) };
  };

  it('Serverless: literal values, ${self:…} paths and !Ref / Ref of a table resource', () => {
    const text = [
      'service: shop',
      'custom:',
      '  ordersTable: Orders',
      '  staged: ${self:service}-${sls:stage}-carts',
      'provider:',
      '  environment:',
      '    ORDERS_TABLE: ${self:custom.ordersTable}',
      '    CARTS_TABLE: ${self:custom.staged}',
      '    INVOICES_TABLE: !Ref InvoicesTable',
      '    BUCKET: !Ref Uploads',
      'functions:',
      '  api:',
      '    environment:',
      '      LOG_TABLE: { Ref: LogTable }',
      'resources:',
      '  Resources:',
      '    InvoicesTable: { Type: AWS::DynamoDB::Table, Properties: { TableName: Invoices } }',
      '    LogTable: { Type: AWS::DynamoDB::Table, Properties: { TimeToLiveSpecification: { AttributeName: deleted_at, Enabled: true } } }',
      '    Uploads: { Type: AWS::S3::Bucket }',
    ].join('\n');
    // a computed name is none; a Ref to a bucket is no table; a table the deployment names is known by its logical id
    expect(resolved('serverless.yml', text)).toEqual({
      environment: { ORDERS_TABLE: 'Orders', INVOICES_TABLE: 'Invoices', LOG_TABLE: 'LogTable' },
      unnamed: { LogTable: { attribute: 'deleted_at' } },
    });
  });

  it('SAM / CloudFormation: Environment.Variables of a function, also in Globals', () => {
    const text = JSON.stringify({
      Globals: { Function: { Environment: { Variables: { ORDERS_TABLE: { Ref: 'Orders' } } } } },
      Resources: {
        Orders: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'Orders', TimeToLiveSpecification: { AttributeName: 'deleted_at', Enabled: true } } },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { ARN: { 'Fn::GetAtt': ['Orders', 'Arn'] }, NAME: { 'Fn::Sub': '${Orders}' } } } } },
      },
    });
    expect(resolved('template.json', text)).toEqual({ environment: { ORDERS_TABLE: 'Orders' }, unnamed: {} });
  });

  it('CDK: environment: { X: table.tableName } and addEnvironment, for tables kept in a const or a field', () => {
    const text = [
      "import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';",
      "const orders = new dynamodb.Table(this, 'Orders', { tableName: 'Orders', timeToLiveAttribute: 'deleted_at' });",
      "this.carts = new dynamodb.TableV2(this, 'Carts', { partitionKey, timeToLiveAttribute: 'deleted_at' });",
      "const plain = new dynamodb.Table(this, 'Plain', { partitionKey });",
      "new lambda.Function(this, 'Fn', { environment: { ORDERS_TABLE: orders.tableName, CARTS_TABLE: this.carts.tableName, PLAIN_TABLE: plain.tableName, OTHER: other.tableName } });",
      "fn.addEnvironment('ORDERS2', orders.tableName);",
    ].join('\n');
    expect(resolved('lib/stack.ts', text)).toEqual({
      environment: { ORDERS_TABLE: 'Orders', CARTS_TABLE: 'carts', PLAIN_TABLE: 'plain', ORDERS2: 'Orders' },
      unnamed: { carts: { attribute: 'deleted_at' } },
    });
  });

  it('Terraform: environment { variables = { X = aws_dynamodb_table.t.name } }', () => {
    const text = [
      'resource "aws_dynamodb_table" "orders" {',
      '  name = "Orders"',
      '}',
      'resource "aws_lambda_function" "f" {',
      '  environment {',
      '    variables = {',
      '      ORDERS_TABLE = aws_dynamodb_table.orders.name',
      '      BY_ID = aws_dynamodb_table.orders.id',
      '      DYNAMIC = "${var.prefix}-orders"',
      '      LITERAL = "Carts"',
      '    }',
      '  }',
      '}',
    ].join('\n');
    expect(resolved('main.tf', text)).toEqual({ environment: { ORDERS_TABLE: 'Orders', BY_ID: 'Orders', LITERAL: 'Carts' }, unnamed: {} });
  });

  it('a variable two definitions set to different tables names none', () => {
    const a = definitionsInFile('a.tf', 'resource "aws_lambda_function" "f" {\n environment {\n variables = { T = "Orders" }\n }\n}\n# aws_dynamodb_table');
    const b = definitionsInFile('b.tf', 'resource "aws_lambda_function" "g" {\n environment {\n variables = { T = "Carts" }\n }\n}\n# aws_dynamodb_table');
    expect(environmentTables({ tables: [], environment: [...a.environment, ...b.environment] }, ['deleted_at']).environment.size).toBe(0);
  });

  it('end to end: reads naming their table by an environment variable are checked against the table it names', async () => {
    clearInfrastructureCache();
    const project = fileURLToPath(new URL('./fixtures/dynamodb-env-project', import.meta.url));
    const eslint = new ESLint({
      cwd: project,
      overrideConfigFile: true,
      overrideConfig: [
        { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
        ...plugin.configs.recommended,
        { rules: { 'soft-delete/no-unchecked-query': 'error' } },
      ],
    });
    expect(squiggleLines(await eslint.lintFiles(['src']), project)).toEqual([
      'src/handlers.ts:12 apiCannotFilter process.env.CUSTOMERS_TABLE',
      'src/handlers.ts:15 apiMissingWhere process.env.CARTS_TABLE',
      'src/handlers.ts:18 apiMissing process.env.PAYMENTS_TABLE',
      'src/handlers.ts:20 unreadableApiCall process.env.AUDIT_TABLE',
      'src/handlers.ts:7 apiMissing ORDERS',
    ]);
  }, 60_000);
});
