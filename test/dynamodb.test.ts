/**
 * DynamoDB reads of soft-deletable tables: AWS SDK v3 commands, paginators and DocumentClient methods are lowered
 * into the statement model, so require-soft-delete-filter judges them like any read (an OR defeats the filter, a
 * trash read is deliberate, a lookup by key may be allowed) and no-unchecked-query lists what it cannot read.
 */
import { describe, expect, it } from 'vitest';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../src/index.js';
import rule from '../rules/require-soft-delete-filter.js';
import unchecked from '../rules/no-unchecked-query.js';
import { DYNAMODB_SETTINGS as SETTINGS, tsRuleTester } from './helpers/rule-tester.js';
import { normalizeSettings, settingsProblems } from '../src/settings.js';


const ORDERS = { operation: 'Query', table: 'Orders', filter: 'attribute_not_exists(deleted_at)', deletedWhen: '`deleted_at` is set' };

const IMPORT = "import { QueryCommand, ScanCommand, GetCommand, BatchGetCommand, paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';\n";

tsRuleTester(SETTINGS).run('require-soft-delete-filter (DynamoDB)', rule as never, {
  valid: [
    // the filter, literally, through a name placeholder, negated
    IMPORT + "await client.send(new QueryCommand({ TableName: 'Orders', KeyConditionExpression: 'pk = :pk', FilterExpression: 'attribute_not_exists(deleted_at)', ExpressionAttributeValues: { ':pk': id } }));",
    IMPORT + "await client.send(new ScanCommand({ TableName: 'Orders', FilterExpression: 'attribute_not_exists(#d) AND total > :t', ExpressionAttributeNames: { '#d': 'deleted_at' }, ExpressionAttributeValues: { ':t': 10 } }));",
    IMPORT + "await docClient.scan({ TableName: 'Orders', FilterExpression: 'NOT attribute_exists(#d)', ExpressionAttributeNames: { '#d': 'deleted_at' } });",
    IMPORT + "await docClient.query({ TableName: 'Orders', KeyConditionExpression: 'pk = :pk', FilterExpression: '(total > :t OR total < :u) AND attribute_not_exists(deleted_at)' });",
    // the status form: `#status <> :deleted` with the value spelt out (DocumentClient and low-level client)
    IMPORT + "await docClient.query({ TableName: 'Users', KeyConditionExpression: '#pk = :pk', FilterExpression: '#s <> :deleted', ExpressionAttributeNames: { '#s': 'status', '#pk': 'pk' }, ExpressionAttributeValues: { ':deleted': 'deleted', ':pk': pk } });",
    IMPORT + "await ddb.query({ TableName: 'Users', KeyConditionExpression: 'pk = :pk', FilterExpression: '#s <> :d', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':d': { S: 'deleted' }, ':pk': { S: pk } } });",
    IMPORT + "await ddb.query({ TableName: 'Users', KeyConditionExpression: 'pk = :pk', FilterExpression: '#s <> :d', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: marshall({ ':d': 'deleted', ':pk': pk }) });",
    // a trash read (soft-deleted items on purpose) is deliberate, as is any other test of the marker
    IMPORT + "await docClient.scan({ TableName: 'Orders', FilterExpression: 'attribute_exists(deleted_at)' });",
    IMPORT + "await docClient.scan({ TableName: 'Users', FilterExpression: '#s = :d', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':d': 'deleted' } });",
    IMPORT + "await docClient.scan({ TableName: 'Users', FilterExpression: '#s <> :v', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':v': 'archived' } });",
    // constants: the table name and the parameters object
    IMPORT + "const ORDERS = 'Orders';\nconst params = { TableName: ORDERS, FilterExpression: 'attribute_not_exists(deleted_at)' };\nawait client.send(new ScanCommand(params));",
    IMPORT + "const command = new ScanCommand({ TableName: 'Orders', FilterExpression: 'attribute_not_exists(deleted_at)' });\nawait client.send(command);",
    IMPORT + "for await (const page of paginateQuery({ client }, { TableName: 'Orders', KeyConditionExpression: 'pk = :pk', FilterExpression: 'attribute_not_exists(deleted_at)' })) {}",
    // tables not declared soft-deletable, and methods that are not DynamoDB's
    IMPORT + "await client.send(new ScanCommand({ TableName: 'Products' }));",
    "await cache.get('Orders');",
    "await http.query({ table: 'Orders' });",
    // a filter this file does not spell out: unknown, never a false report (no-unchecked-query lists it)
    IMPORT + "await docClient.scan({ TableName: 'Orders', FilterExpression: activeFilter });",
    IMPORT + 'await docClient.scan({ TableName: \'Orders\', FilterExpression: `${extra} AND attribute_not_exists(deleted_at)` });',
    IMPORT + "await docClient.scan({ ...base, TableName: 'Orders' });",
    // a lookup by key, allowed by the same option as SQL lookups
    { code: IMPORT + "await docClient.get({ TableName: 'Orders', Key: { id } });", options: [{ allowLookupsBy: ['id'] }] },
  ],
  invalid: [
    {
      code: IMPORT + "await client.send(new QueryCommand({ TableName: 'Orders', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': id } }));",
      errors: [
        {
          messageId: 'apiMissing',
          line: 2,
          column: 50,
          endColumn: 56,
          data: ORDERS,
          suggestions: [
            {
              messageId: 'addFilterInCode',
              data: { code: "FilterExpression: 'attribute_not_exists(deleted_at)'" },
              output:
                IMPORT +
                "await client.send(new QueryCommand({ TableName: 'Orders', FilterExpression: 'attribute_not_exists(deleted_at)', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': id } }));",
            },
          ],
        },
      ],
    },
    {
      // an existing filter is kept, parenthesised
      code: IMPORT + 'for await (const page of paginateScan({ client }, { TableName: "Orders", FilterExpression: "total > :t OR total < :u" })) {}',
      errors: [
        {
          messageId: 'apiMissing',
          data: { ...ORDERS, operation: 'Scan' },
          suggestions: [
            {
              messageId: 'addFilterInCode',
              data: { code: '(…) AND attribute_not_exists(deleted_at)' },
              output: IMPORT + 'for await (const page of paginateScan({ client }, { TableName: "Orders", FilterExpression: "(total > :t OR total < :u) AND attribute_not_exists(deleted_at)" })) {}',
            },
          ],
        },
      ],
    },
    {
      // an OR at the top defeats the filter
      code: IMPORT + "await docClient.scan({ TableName: 'Orders', FilterExpression: 'attribute_not_exists(#d) OR total > :t', ExpressionAttributeNames: { '#d': 'deleted_at' } });",
      errors: [{ messageId: 'or-defeated', data: { table: 'Orders', alias: '', filter: 'attribute_not_exists(deleted_at)' }, suggestions: [] }],
    },
    {
      // GetItem cannot filter
      code: IMPORT + "await docClient.get({ TableName: 'Orders', Key: { id } });",
      errors: [{ messageId: 'apiCannotFilter', column: 35, endColumn: 41, data: { ...ORDERS, operation: 'GetItem' }, suggestions: [] }],
    },
    {
      // allowLookupsBy names other attributes than the item's key
      code: IMPORT + "await client.send(new GetCommand({ TableName: 'Orders', Key: { pk, sk } }));",
      options: [{ allowLookupsBy: ['id'] }],
      errors: [{ messageId: 'apiCannotFilter' }],
    },
    {
      // BatchGetItem: each table of RequestItems
      code: IMPORT + "await client.send(new BatchGetCommand({ RequestItems: { Orders: { Keys: [{ id: 1 }] }, Products: { Keys: [{ id: 2 }] } } }));",
      errors: [{ messageId: 'apiCannotFilter', data: { ...ORDERS, operation: 'BatchGetItem' }, column: 57, endColumn: 63 }],
    },
    {
      // the status form: a filter on something else; no edit offered for a comparison
      code: IMPORT + "await docClient.query({ TableName: 'Users', KeyConditionExpression: 'pk = :pk', FilterExpression: 'begins_with(sk, :p)' });",
      errors: [{ messageId: 'apiMissing', data: { operation: 'Query', table: 'Users', filter: "status <> 'deleted'", deletedWhen: "`status` is 'deleted'" }, suggestions: [] }],
    },
    {
      // a constant table name and parameters object; the edit lands in the object
      code: IMPORT + "const ORDERS = 'Orders';\nconst params = { TableName: ORDERS, Limit: 10 };\nawait client.send(new ScanCommand(params));",
      errors: [
        {
          messageId: 'apiMissing',
          line: 3,
          column: 29,
          endColumn: 35,
          suggestions: [
            {
              messageId: 'addFilterInCode',
              output: IMPORT + "const ORDERS = 'Orders';\nconst params = { TableName: ORDERS, FilterExpression: 'attribute_not_exists(deleted_at)', Limit: 10 };\nawait client.send(new ScanCommand(params));",
            },
          ],
        },
      ],
    },
    {
      // an attribute DynamoDB may reserve is not written bare: no edit
      code: IMPORT + "await docClient.scan({ TableName: 'Sessions' });",
      errors: [{ messageId: 'apiMissing', data: { operation: 'Scan', table: 'Sessions', filter: 'attribute_not_exists(deletedAt)', deletedWhen: '`deletedAt` is set' }, suggestions: [] }],
    },
  ],
});

tsRuleTester(SETTINGS).run('no-unchecked-query (DynamoDB)', unchecked as never, {
  valid: [IMPORT + "await docClient.scan({ TableName: 'Orders', FilterExpression: 'attribute_not_exists(deleted_at)' });"],
  invalid: [
    // a table from an environment variable nothing sets: said, with the variable
    {
      code: IMPORT + 'await client.send(new ScanCommand({ TableName: process.env.TABLE }));',
      errors: [
        {
          messageId: 'unreadableApiCall',
          column: 48,
          endColumn: 65,
          data: {
            callee: 'ScanCommand',
            api: 'DynamoDB',
            reason: 'its table comes from the environment variable TABLE, which no infrastructure definition the plugin read sets to a table (name it in settings["soft-delete"].dynamodb.environment)',
          },
        },
      ],
    },
    { code: IMPORT + 'await client.send(new ScanCommand({ TableName: tableFor(kind) }));', errors: [{ messageId: 'hiddenTable' }] },
    { code: IMPORT + "await docClient.scan({ TableName: 'Orders', FilterExpression: activeFilter });", errors: [{ messageId: 'unknownFilter' }] },
    { code: IMPORT + 'await client.send(new ScanCommand(buildParams()));', errors: [{ messageId: 'unreadableApiCall', data: { callee: 'ScanCommand', api: 'DynamoDB', reason: 'its parameters (TableName, FilterExpression) are not an object this file spells out' } }] },
  ],
});

const PARTIQL = "import { ExecuteStatementCommand, BatchExecuteStatementCommand, ExecuteTransactionCommand, TransactGetCommand } from '@aws-sdk/lib-dynamodb';\n";
const WHERE = (table: string, filter: string, deletedWhen: string, operation = 'ExecuteStatement') => ({ operation, table, filter, deletedWhen });

tsRuleTester(SETTINGS).run('require-soft-delete-filter (DynamoDB PartiQL and transactions)', rule as never, {
  valid: [
    // the filter in the WHERE: IS MISSING, the status form (literal or a spelt-out parameter), under AND
    PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "Orders" WHERE "customerId" = ? AND "deleted_at" IS MISSING', Parameters: [id] }));`,
    PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: "SELECT id, total FROM Orders.ByCustomer WHERE customerId = ? AND deleted_at IS MISSING ORDER BY createdAt DESC" }));`,
    PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "Users" WHERE pk = ? AND "status" <> \\'deleted\\'' }));`,
    PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "Users" WHERE pk = ? AND "status" != ?', Parameters: [pk, 'deleted'] }));`,
    PARTIQL + `await ddb.executeStatement({ Statement: 'SELECT * FROM Users WHERE pk = ? AND status <> ?', Parameters: [{ S: pk }, { S: 'deleted' }] });`,
    PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM Orders WHERE (total > 10 OR total < 2) AND deleted_at IS NULL AND sku IN [1, 2]' }));`,
    // a trash read is deliberate; a statement that is not a read; a table that is not soft-deletable
    PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM Orders WHERE deleted_at IS NOT MISSING' }));`,
    PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: "UPDATE Orders SET deleted_at = 1 WHERE id = ?" }));`,
    PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM Products' }));`,
    // a transaction's EXISTS check is a condition of its writes, not a read
    PARTIQL + `await client.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: 'EXISTS(SELECT * FROM Orders WHERE id = ? AND deleted_at IS MISSING)' }, { Statement: 'DELETE FROM Orders WHERE id = ?' }] }));`,
    // a condition not read here is unknown, never a false report (no-unchecked-query lists it)
    PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM Orders WHERE tags = <<1, 2>>' }));`,
    PARTIQL + 'await client.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM Orders WHERE ${cond}` }));',
    // a TransactGet by key, allowed like any lookup by key
    { code: PARTIQL + `await client.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: 'Orders', Key: { id } } }] }));`, options: [{ allowLookupsBy: ['id'] }] },
    PARTIQL + `await client.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: 'Products', Key: { id } } }] }));`,
  ],
  invalid: [
    {
      // the position is the table name inside the statement
      code: PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "Orders" WHERE "customerId" = ?', Parameters: [id] }));`,
      errors: [
        {
          messageId: 'apiMissingWhere', line: 2, column: 76, endColumn: 82, data: WHERE('Orders', '"deleted_at" IS MISSING', '`deleted_at` is set'),
          suggestions: [{ messageId: 'addFilterInCode', output: PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "Orders" WHERE "customerId" = ? AND "deleted_at" IS MISSING', Parameters: [id] }));` }],
        },
      ],
    },
    {
      // no WHERE at all; a constant statement
      code: PARTIQL + `const ALL = 'SELECT * FROM Orders';\nawait client.send(new ExecuteStatementCommand({ Statement: ALL }));`,
      errors: [{ messageId: 'apiMissingWhere', line: 3, column: 60, endColumn: 63 }],
    },
    {
      // an OR around the filter lets deleted items through
      code: PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM Orders WHERE deleted_at IS MISSING OR vip = true' }));`,
      errors: [{ messageId: 'or-defeated' }],
    },
    {
      // the status form, a value that is not the deleted one
      code: PARTIQL + `await ddb.executeStatement({ Statement: 'SELECT * FROM Users WHERE pk = ? AND begins_with(sk, ?)', Parameters: [{ S: pk }, { S: 'o#' }] });`,
      errors: [{ messageId: 'apiMissingWhere', data: WHERE('Users', `"status" <> 'deleted'`, "`status` is 'deleted'") }],
    },
    {
      // each SELECT of a batch and of a transaction is a read of its own
      code:
        PARTIQL +
        `await client.send(new BatchExecuteStatementCommand({ Statements: [{ Statement: 'SELECT * FROM Orders WHERE id = ?', Parameters: [a] }, { Statement: 'SELECT * FROM Orders WHERE id = ? AND deleted_at IS MISSING', Parameters: [b] }, { Statement: 'SELECT * FROM Sessions WHERE id = ?' }] }));`,
      errors: [
        {
          messageId: 'apiMissingWhere', column: 95, endColumn: 101, data: WHERE('Orders', '"deleted_at" IS MISSING', '`deleted_at` is set', 'BatchExecuteStatement'),
          suggestions: [{ messageId: 'addFilterInCode', output: PARTIQL + `await client.send(new BatchExecuteStatementCommand({ Statements: [{ Statement: 'SELECT * FROM Orders WHERE id = ? AND "deleted_at" IS MISSING', Parameters: [a] }, { Statement: 'SELECT * FROM Orders WHERE id = ? AND deleted_at IS MISSING', Parameters: [b] }, { Statement: 'SELECT * FROM Sessions WHERE id = ?' }] }));` }],
        },
        {
          messageId: 'apiMissingWhere', data: WHERE('Sessions', '"deletedAt" IS MISSING', '`deletedAt` is set', 'BatchExecuteStatement'),
          suggestions: [{ messageId: 'addFilterInCode', output: PARTIQL + `await client.send(new BatchExecuteStatementCommand({ Statements: [{ Statement: 'SELECT * FROM Orders WHERE id = ?', Parameters: [a] }, { Statement: 'SELECT * FROM Orders WHERE id = ? AND deleted_at IS MISSING', Parameters: [b] }, { Statement: 'SELECT * FROM Sessions WHERE id = ? AND "deletedAt" IS MISSING' }] }));` }],
        },
      ],
    },
    {
      code: PARTIQL + `await docClient.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: "SELECT * FROM Orders WHERE id = ?" }] }));`,
      errors: [
        {
          messageId: 'apiMissingWhere', data: WHERE('Orders', '"deleted_at" IS MISSING', '`deleted_at` is set', 'ExecuteTransaction'),
          suggestions: [{ messageId: 'addFilterInCode', output: PARTIQL + `await docClient.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: "SELECT * FROM Orders WHERE id = ? AND \\"deleted_at\\" IS MISSING" }] }));` }],
        },
      ],
    },
    {
      // TransactGetItems reads items by key: it cannot filter, like GetItem
      code: PARTIQL + `await client.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: 'Orders', Key: { id } } }, { Get: { TableName: 'Products', Key: { id } } }] }));`,
      errors: [{ messageId: 'apiCannotFilter', column: 81, endColumn: 87, data: { ...ORDERS, operation: 'TransactGetItems' } }],
    },
    {
      code: PARTIQL + `await docClient.transactGet({ TransactItems: [{ Get: { TableName: 'Users', Key: { pk } } }] });`,
      errors: [{ messageId: 'apiCannotFilter' }],
    },
  ],
});

tsRuleTester(SETTINGS).run('no-unchecked-query (DynamoDB PartiQL and transactions)', unchecked as never, {
  valid: [PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM Orders WHERE deleted_at IS MISSING' }));`],
  invalid: [
    { code: PARTIQL + 'await client.send(new ExecuteStatementCommand({ Statement: query }));', errors: [{ messageId: 'unreadableApiCall', data: { callee: 'ExecuteStatementCommand', api: 'DynamoDB', reason: 'its PartiQL statement is not a string this file spells out' } }] },
    { code: PARTIQL + 'await client.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${table}" WHERE id = ?` }));', errors: [{ messageId: 'hiddenTable', column: 78, endColumn: 83 }] },
    { code: PARTIQL + "await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM Orders WHERE tags = <<1, 2>>' }));", errors: [{ messageId: 'unknownFilter' }] },
    { code: PARTIQL + "await client.send(new ExecuteStatementCommand({ Statement: 'SELECT FROM' }));", errors: [{ messageId: 'unreadableApiCall' }] },
    { code: PARTIQL + 'await client.send(new BatchExecuteStatementCommand({ Statements: statements }));', errors: [{ messageId: 'unreadableApiCall' }] },
    { code: PARTIQL + 'await client.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: tableOf(x), Key: { id } } }] }));', errors: [{ messageId: 'hiddenTable' }] },
    { code: PARTIQL + 'await client.send(new TransactGetCommand({ TransactItems: items }));', errors: [{ messageId: 'unreadableApiCall' }] },
    { code: IMPORT + 'await client.send(new BatchGetCommand({ RequestItems: items }));', errors: [{ messageId: 'unreadableApiCall' }] },
  ],
});

tsRuleTester(SETTINGS).run('require-soft-delete-filter (DynamoDB PartiQL suggestions)', rule as never, {
  valid: [PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "Orders" WHERE "customerId" = ? AND "deleted_at" IS MISSING', Parameters: [id] }));`],
  invalid: [
    {
      // no WHERE: one is added after the FROM item (before ORDER BY)
      code: PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT id FROM Orders.ByCustomer ORDER BY createdAt' }));`,
      errors: [{ messageId: 'apiMissingWhere', suggestions: [{ messageId: 'addFilterInCode', output: PARTIQL + `await client.send(new ExecuteStatementCommand({ Statement: 'SELECT id FROM Orders.ByCustomer WHERE "deleted_at" IS MISSING ORDER BY createdAt' }));` }] }],
    },
    {
      // a double-quoted JS string: the attribute's quotes are escaped
      code: PARTIQL + 'await client.send(new ExecuteStatementCommand({ Statement: "SELECT * FROM Orders WHERE id = ?", Parameters: [id] }));',
      errors: [{ messageId: 'apiMissingWhere', suggestions: [{ messageId: 'addFilterInCode', output: PARTIQL + 'await client.send(new ExecuteStatementCommand({ Statement: "SELECT * FROM Orders WHERE id = ? AND \\"deleted_at\\" IS MISSING", Parameters: [id] }));' }] }],
    },
    {
      // a top-level OR is parenthesised (AND binds tighter)
      code: PARTIQL + "await ddb.executeStatement({ Statement: 'SELECT * FROM Sessions WHERE a = ? OR b = ?' });",
      errors: [{ messageId: 'apiMissingWhere', suggestions: [{ messageId: 'addFilterInCode', output: PARTIQL + `await ddb.executeStatement({ Statement: 'SELECT * FROM Sessions WHERE (a = ? OR b = ?) AND "deletedAt" IS MISSING' });` }] }],
    },
    {
      // a template: the table from a constant, the edit in the template's own text
      code: PARTIQL + "const T = 'Orders';\nawait client.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM \"${T}\"` }));",
      errors: [{ messageId: 'apiMissingWhere', suggestions: [{ messageId: 'addFilterInCode', output: PARTIQL + "const T = 'Orders';\nawait client.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM \"${T}\" WHERE \"deleted_at\" IS MISSING` }));" }] }],
    },
    {
      // each statement of a batch gets its own
      code: PARTIQL + `await client.send(new BatchExecuteStatementCommand({ Statements: [{ Statement: 'SELECT * FROM Orders WHERE id = ?', Parameters: [a] }] }));`,
      errors: [{ messageId: 'apiMissingWhere', suggestions: [{ messageId: 'addFilterInCode', output: PARTIQL + `await client.send(new BatchExecuteStatementCommand({ Statements: [{ Statement: 'SELECT * FROM Orders WHERE id = ? AND "deleted_at" IS MISSING', Parameters: [a] }] }));` }] }],
    },
    // none: a status marker (its value is not asked for), a statement kept in a constant
    { code: PARTIQL + `await ddb.executeStatement({ Statement: 'SELECT * FROM Users WHERE pk = ?' });`, errors: [{ messageId: 'apiMissingWhere', suggestions: [] }] },
    { code: PARTIQL + `const ALL = 'SELECT * FROM Orders';\nawait client.send(new ExecuteStatementCommand({ Statement: ALL }));`, errors: [{ messageId: 'apiMissingWhere', suggestions: [] }] },
    // none where the edit would fall inside an interpolation (here: the WHERE belongs before `${ORDER}`'s text)
    { code: PARTIQL + "const ORDER = ' ORDER BY createdAt';\nawait client.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM Orders${ORDER}` }));", errors: [{ messageId: 'apiMissingWhere', suggestions: [] }] },
    {
      // after an interpolation at the end: the edit goes before the closing backtick
      code: PARTIQL + "const T = 'Orders';\nawait client.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM ${T}` }));",
      errors: [{ messageId: 'apiMissingWhere', suggestions: [{ messageId: 'addFilterInCode', output: PARTIQL + "const T = 'Orders';\nawait client.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM ${T} WHERE \"deleted_at\" IS MISSING` }));" }] }],
    },
  ],
});

const ENV_SETTINGS = { 'soft-delete': { ...SETTINGS['soft-delete'], dynamodb: { ...SETTINGS['soft-delete'].dynamodb, environment: { ORDERS_TABLE: 'Orders', PRODUCTS_TABLE: 'Products' } } } };

tsRuleTester(ENV_SETTINGS).run('require-soft-delete-filter (DynamoDB tables from environment variables)', rule as never, {
  valid: [
    IMPORT + "await client.send(new ScanCommand({ TableName: process.env.ORDERS_TABLE, FilterExpression: 'attribute_not_exists(deleted_at)' }));",
    IMPORT + 'await client.send(new ScanCommand({ TableName: process.env.PRODUCTS_TABLE }));',
    IMPORT + "const T = process.env['ORDERS_TABLE'] ?? 'Orders-dev';\nawait docClient.scan({ TableName: T, FilterExpression: 'attribute_not_exists(deleted_at)' });",
  ],
  invalid: [
    {
      code: IMPORT + 'await client.send(new ScanCommand({ TableName: process.env.ORDERS_TABLE! }));',
      errors: [
        {
          messageId: 'apiMissing',
          column: 48,
          endColumn: 73,
          data: { ...ORDERS, operation: 'Scan' },
          suggestions: [{ messageId: 'addFilterInCode', output: IMPORT + "await client.send(new ScanCommand({ TableName: process.env.ORDERS_TABLE!, FilterExpression: 'attribute_not_exists(deleted_at)' }));" }],
        },
      ],
    },
    { code: IMPORT + "const ORDERS_TABLE = process.env.ORDERS_TABLE as string;\nawait docClient.get({ TableName: ORDERS_TABLE, Key: { id } });", errors: [{ messageId: 'apiCannotFilter', line: 3, column: 34, endColumn: 46 }] },
  ],
});

describe('DynamoDB front end', () => {
  it('is off unless a DynamoDB table is declared', () => {
    const linter = new Linter();
    const config = (settings: unknown) => [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tsParser },
        plugins: { 'soft-delete': plugin as never },
        settings: { 'soft-delete': settings },
        rules: { 'soft-delete/require-soft-delete-filter': 'error', 'soft-delete/no-unchecked-query': 'error' },
      },
    ];
    const code = IMPORT + "await client.send(new ScanCommand({ TableName: 'Orders' }));\nawait client.send(new ScanCommand(params()));";
    const off = linter.verify(code, config({ tables: { users: { column: 'deleted_at' } }, dynamodb: { tables: { Orders: false } } }) as never, 'x.ts');
    expect(off).toEqual([]);
    const on = linter.verify(code, config({ dynamodb: { tables: { Orders: { attribute: 'deleted_at' } } } }) as never, 'x.ts');
    expect(on.map((m) => m.messageId)).toEqual(['apiMissing', 'unreadableApiCall']);
  });
});

describe('DynamoDB settings', () => {
  it('accepts the documented shape', () => {
    expect(
      settingsProblems({
        dynamodb: {
          tables: { Orders: { attribute: 'deleted_at' }, Users: { attribute: 'status', deletedValue: 'deleted' }, Flags: { attribute: 'state', deletedValue: 3 }, Log: false },
          infrastructure: ['infra/**/*.tf'],
        },
      }),
    ).toEqual([]);
    expect(settingsProblems({ dynamodb: { infrastructure: false } })).toEqual([]);
  });

  it('accepts environment variables naming tables, and names a wrong one', () => {
    expect(settingsProblems({ dynamodb: { environment: { ORDERS_TABLE: 'Orders' } } })).toEqual([]);
    expect(settingsProblems({ dynamodb: { environment: { ORDERS_TABLE: 3 } } })).toEqual([
      'settings["soft-delete"].dynamodb.environment.ORDERS_TABLE must be a table name, got 3.',
    ]);
    expect([...normalizeSettings({ dynamodb: { environment: { ORDERS_TABLE: 'Orders' } } }).dynamodb.environment]).toEqual([['ORDERS_TABLE', 'Orders']]);
  });

  it('names each mistake', () => {
    expect(settingsProblems({ dynamodb: { tables: { Orders: { attribut: 'deleted_at' } } } })).toEqual([
      'settings["soft-delete"].dynamodb.tables.Orders.attribute is required.',
      'settings["soft-delete"].dynamodb.tables.Orders.attribut is not a setting (did you mean "attribute"?).',
    ]);
    expect(settingsProblems({ dynamodb: { tables: { Orders: 'deleted_at' } } })).toEqual([
      'settings["soft-delete"].dynamodb.tables.Orders must be false or { attribute, deletedValue }, got "deleted_at".',
    ]);
    expect(settingsProblems({ dynamodb: { tables: { Orders: { attribute: 'status', deletedValue: null } } } })).toEqual([
      'settings["soft-delete"].dynamodb.tables.Orders.deletedValue must be a string, a number or a boolean, got null.',
    ]);
    expect(settingsProblems({ dynamodb: { infrastructure: 'infra' } })).toEqual([
      'settings["soft-delete"].dynamodb.infrastructure must be false or an array of globs, got "infra".',
    ]);
    expect(settingsProblems({ dynamodb: { table: {} } })).toEqual(['settings["soft-delete"].dynamodb.table is not a setting (did you mean "tables"?).']);
  });

  it('makes each declared table a requirement under the dynamodb schema', () => {
    const settings = normalizeSettings({ dynamodb: { tables: { Orders: { attribute: 'deleted_at' }, Users: { attribute: 'status', deletedValue: "it's" }, Log: false } } });
    expect(settings.tables.get('dynamodb.Orders')).toEqual({ active: 'deleted_at IS NULL' });
    expect(settings.tables.get('dynamodb.Users')).toEqual({ active: "status <> 'it''s'" });
    expect(settings.tables.get('dynamodb.Log')).toBe(false);
    expect(settings.tables.has('Orders')).toBe(false);
  });
});
