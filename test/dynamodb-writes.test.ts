/**
 * DynamoDB deletes of soft-deletable tables: `DeleteItem`, a BatchWriteItem's `DeleteRequest`, a TransactWriteItems
 * `Delete` and a PartiQL `DELETE` are lowered into the statement model as `DELETE FROM dynamodb."Orders" …`, so
 * no-hard-delete reports them like any hard delete (a delete kept to items already soft-deleted is a purge), in
 * DynamoDB's terms and without a suggestion; no-unchecked-query lists the ones it cannot read.
 */
import rule from '../rules/no-hard-delete.js';
import unchecked from '../rules/no-unchecked-query.js';
import { DYNAMODB_SETTINGS, tsRuleTester } from './helpers/rule-tester.js';

const SETTINGS = { 'soft-delete': { ...DYNAMODB_SETTINGS['soft-delete'], dynamodb: { ...DYNAMODB_SETTINGS['soft-delete'].dynamodb, environment: { ORDERS_TABLE: 'Orders' } } } };

const LIB = "import { DeleteCommand, BatchWriteCommand, TransactWriteCommand, ExecuteStatementCommand, ExecuteTransactionCommand } from '@aws-sdk/lib-dynamodb';\n";
const LOW = "import { DeleteItemCommand, BatchWriteItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';\n";
const ORDERS = { table: 'Orders', deletedWhen: '`deleted_at` is set' };
const PURGE = { purge: 'attribute_exists(deleted_at)', clause: 'ConditionExpression' };

tsRuleTester(SETTINGS).run('no-hard-delete (DynamoDB)', rule as never, {
  valid: [
    // the soft delete: an update that sets the attribute
    LIB + "await docClient.update({ TableName: 'Orders', Key: { id }, UpdateExpression: 'SET deleted_at = :now', ExpressionAttributeValues: { ':now': now } });",
    // a purge of items already soft-deleted, as the condition says (the name through a placeholder too)
    LIB + "await client.send(new DeleteCommand({ TableName: 'Orders', Key: { id }, ConditionExpression: 'attribute_exists(deleted_at)' }));",
    LOW + "await client.send(new DeleteItemCommand({ TableName: 'Orders', Key: { id: { S: id } }, ConditionExpression: 'attribute_exists(#d)', ExpressionAttributeNames: { '#d': 'deleted_at' } }));",
    LIB + "await client.send(new TransactWriteCommand({ TransactItems: [{ Delete: { TableName: 'Orders', Key: { id }, ConditionExpression: 'attribute_exists(deleted_at) AND deleted_at < :cutoff' } }] }));",
    LIB + `await client.send(new ExecuteStatementCommand({ Statement: 'DELETE FROM "Orders" WHERE id = ? AND "deleted_at" IS NOT MISSING', Parameters: [id] }));`,
    // tables that are not soft-deletable
    LIB + "await client.send(new DeleteCommand({ TableName: 'Products', Key: { id } }));",
    LIB + "await client.send(new BatchWriteCommand({ RequestItems: { Products: ids.map((id) => ({ DeleteRequest: { Key: { id } } })) } }));",
    // writes that remove nothing: puts, updates, condition checks, PartiQL INSERT and UPDATE
    LIB + "await client.send(new BatchWriteCommand({ RequestItems: { Orders: [{ PutRequest: { Item: order } }] } }));",
    LIB + "await client.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 'Orders', Item: order } }, { Update: { TableName: 'Orders', Key: { id }, UpdateExpression: 'SET n = :n' } }, { ConditionCheck: { TableName: 'Orders', Key: { id }, ConditionExpression: 'attribute_not_exists(deleted_at)' } }] }));",
    LIB + `await client.send(new ExecuteStatementCommand({ Statement: "UPDATE Orders SET deleted_at = ? WHERE id = ?", Parameters: [now, id] }));`,
    LIB + `await client.send(new ExecuteStatementCommand({ Statement: "INSERT INTO Orders VALUE {'id': ?}", Parameters: [id] }));`,
    // methods of that name that are not DynamoDB's
    "cache.delete('Orders');\nawait map.delete({ key: 'Orders' });",
  ],
  invalid: [
    {
      // the report sits on the table's name; no suggestion (the soft delete is an update the code must write)
      code: LIB + "await client.send(new DeleteCommand({ TableName: 'Orders', Key: { id } }));",
      errors: [{ messageId: 'apiHardDeletePurge', line: 2, column: 51, endColumn: 57, data: { operation: 'DeleteItem', ...ORDERS, ...PURGE }, suggestions: [] }],
    },
    {
      code: LOW + "await ddb.send(new DeleteItemCommand({ TableName: 'Orders', Key: { id: { S: id } }, ReturnValues: 'ALL_OLD' }));",
      errors: [{ messageId: 'apiHardDeletePurge', line: 2, column: 52, endColumn: 58 }],
    },
    {
      // the DocumentClient (SDK v2 and v3), a command kept in a const, a table from the environment
      code: "await docClient.delete({ TableName: 'Orders', Key: { id } }).promise();",
      errors: [{ messageId: 'apiHardDeletePurge', line: 1, column: 38, endColumn: 44 }],
    },
    {
      code: LIB + "const command = new DeleteCommand({ TableName: process.env.ORDERS_TABLE, Key: { id } });\nawait client.send(command);",
      errors: [{ messageId: 'apiHardDeletePurge', line: 2, column: 48, endColumn: 72 }],
    },
    {
      // deleting only live items is still a hard delete
      code: LIB + "await client.send(new DeleteCommand({ TableName: 'Orders', Key: { id }, ConditionExpression: 'attribute_not_exists(deleted_at)' }));",
      errors: [{ messageId: 'apiHardDeletePurge' }],
    },
    {
      // a status marker: no condition the checks could take for a purge, so none is offered
      code: LIB + "await docClient.delete({ TableName: 'Users', Key: { pk } });",
      errors: [{ messageId: 'apiHardDelete', data: { operation: 'DeleteItem', table: 'Users', deletedWhen: "`status` is 'deleted'" } }],
    },
    {
      // a batch: one report per table with deletes, on the table's key (a DeleteRequest takes no condition)
      code: LIB + "await client.send(new BatchWriteCommand({ RequestItems: { Orders: [{ DeleteRequest: { Key: { id: a } } }, { DeleteRequest: { Key: { id: b } } }], Products: [{ DeleteRequest: { Key: { id: c } } }] } }));",
      errors: [{ messageId: 'apiHardDelete', line: 2, column: 59, endColumn: 65, data: { operation: 'BatchWriteItem', ...ORDERS } }],
    },
    {
      // requests built by a map, the table a computed key from the environment
      code: LOW + "const TABLE = process.env.ORDERS_TABLE!;\nawait ddb.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: ids.map((id) => ({ DeleteRequest: { Key: { id: { S: id } } } })) } }));",
      errors: [{ messageId: 'apiHardDelete', line: 3, column: 61, endColumn: 66 }],
    },
    {
      code: "await docClient.batchWrite({ RequestItems: { 'Orders': chunk.map((id) => ({ DeleteRequest: { Key: { id } } })) } }).promise();",
      errors: [{ messageId: 'apiHardDelete', line: 1, column: 47, endColumn: 53 }],
    },
    {
      // each Delete of a transaction, at its TableName
      code: LIB + "await client.send(new TransactWriteCommand({ TransactItems: [{ Update: { TableName: 'Orders', Key: { id: a }, UpdateExpression: 'SET n = :n' } }, { Delete: { TableName: 'Orders', Key: { id: b } } }] }));",
      errors: [{ messageId: 'apiHardDeletePurge', line: 2, column: 171, endColumn: 177, data: { operation: 'TransactWriteItems', ...ORDERS, ...PURGE } }],
    },
    {
      code: LOW + "await ddb.send(new TransactWriteItemsCommand({ TransactItems: ids.map((id) => ({ Delete: { TableName: 'Users', Key: { pk: { S: id } } } })) }));",
      errors: [{ messageId: 'apiHardDelete', data: { operation: 'TransactWriteItems', table: 'Users', deletedWhen: "`status` is 'deleted'" } }],
    },
    {
      // PartiQL: the report inside the statement, the purge condition in PartiQL's words
      code: LIB + `await client.send(new ExecuteStatementCommand({ Statement: 'DELETE FROM "Orders" WHERE id = ?', Parameters: [id] }));`,
      errors: [{ messageId: 'apiHardDeletePurge', line: 2, column: 74, endColumn: 80, data: { operation: 'PartiQL DELETE', ...ORDERS, purge: '"deleted_at" IS NOT MISSING', clause: 'WHERE' }, suggestions: [] }],
    },
    {
      // a transaction's EXISTS check does not make its DELETE a purge
      code: LIB + `await client.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: 'EXISTS(SELECT * FROM Orders WHERE id = ? AND deleted_at IS MISSING)' }, { Statement: 'DELETE FROM Orders WHERE id = ? RETURNING ALL OLD *' }] }));`,
      errors: [{ messageId: 'apiHardDeletePurge', line: 2, column: 184, endColumn: 190 }],
    },
    {
      code: "await ddb.executeStatement({ Statement: 'DELETE FROM Users WHERE pk = ?', Parameters: [{ S: pk }] });",
      errors: [{ messageId: 'apiHardDelete', data: { operation: 'PartiQL DELETE', table: 'Users', deletedWhen: "`status` is 'deleted'" } }],
    },
  ],
});

tsRuleTester(SETTINGS).run('no-unchecked-query (DynamoDB deletes)', unchecked as never, {
  valid: [LIB + "await client.send(new DeleteCommand({ TableName: 'Orders', Key: { id }, ConditionExpression: 'attribute_exists(deleted_at)' }));"],
  invalid: [
    { code: LIB + 'await client.send(new DeleteCommand(paramsFor(id)));', errors: [{ messageId: 'unreadableApiWrite', data: { callee: 'DeleteCommand', api: 'DynamoDB', reason: 'its parameters (TableName, Key) are not an object this file spells out' } }] },
    { code: LIB + 'await client.send(new DeleteCommand({ TableName: tableFor(kind), Key: { id } }));', errors: [{ messageId: 'unreadableApiWrite', column: 50, endColumn: 64, data: { callee: 'DeleteCommand', api: 'DynamoDB', reason: 'its table is a value this file does not spell out' } }] },
    {
      code: LIB + 'export async function purge(requests) {\n  await client.send(new BatchWriteCommand({ RequestItems: { Orders: requests } }));\n}',
      errors: [{ messageId: 'unreadableApiWrite', line: 3, column: 69, endColumn: 77, data: { callee: 'BatchWriteCommand', api: 'DynamoDB', reason: 'its write requests for Orders are not spelled out here (a DeleteRequest among them would remove items for good)' } }],
    },
    { code: LIB + 'await client.send(new TransactWriteCommand({ TransactItems: [{ Delete: deleteOf(id) }] }));', errors: [{ messageId: 'unreadableApiWrite' }] },
    { code: LIB + 'await client.send(new TransactWriteCommand({ TransactItems: items }));', errors: [{ messageId: 'unreadableApiWrite', data: { callee: 'TransactWriteCommand', api: 'DynamoDB', reason: 'its TransactItems are not a list this file spells out' } }] },
    { code: LIB + 'await client.send(new ExecuteStatementCommand({ Statement: `DELETE FROM "${table}" WHERE id = ?` }));', errors: [{ messageId: 'unreadableApiWrite', column: 76, endColumn: 81, data: { callee: 'ExecuteStatementCommand', api: 'DynamoDB', reason: 'its table is a value this file does not spell out' } }] },
    { code: LIB + "await client.send(new ExecuteStatementCommand({ Statement: 'DELETE Orders' }));", errors: [{ messageId: 'unreadableApiWrite', data: { callee: 'ExecuteStatementCommand', api: 'DynamoDB', reason: 'its PartiQL DELETE is not in a form the plugin reads' } }] },
  ],
});
