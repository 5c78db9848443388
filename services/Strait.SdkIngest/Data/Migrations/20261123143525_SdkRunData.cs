using System;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.SdkIngest.Data.Migrations
{
    /// <inheritdoc />
    public partial class SdkRunData : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "run_annotations",
                schema: "ingest",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    value = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_run_annotations", x => new { x.run_id, x.key });
                });

            migrationBuilder.CreateTable(
                name: "run_checkpoints",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    source = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    state = table.Column<JsonDocument>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_run_checkpoints", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "run_outputs",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    output_key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    schema = table.Column<JsonDocument>(type: "jsonb", nullable: true),
                    value = table.Column<JsonDocument>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_run_outputs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "run_state_entries",
                schema: "ingest",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    value = table.Column<JsonDocument>(type: "jsonb", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_run_state_entries", x => new { x.run_id, x.key });
                });

            migrationBuilder.CreateTable(
                name: "run_states",
                schema: "ingest",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    checkpoint_sequence = table.Column<int>(type: "integer", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_run_states", x => x.run_id);
                });

            migrationBuilder.CreateTable(
                name: "run_tool_calls",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tool_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    input = table.Column<JsonDocument>(type: "jsonb", nullable: true),
                    output = table.Column<JsonDocument>(type: "jsonb", nullable: true),
                    duration_ms = table.Column<long>(type: "bigint", nullable: true),
                    status = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_run_tool_calls", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "run_usage",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    provider = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    model = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    prompt_tokens = table.Column<long>(type: "bigint", nullable: false),
                    completion_tokens = table.Column<long>(type: "bigint", nullable: false),
                    total_tokens = table.Column<long>(type: "bigint", nullable: false),
                    cost_microusd = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_run_usage", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_run_checkpoints_run_id_sequence",
                schema: "ingest",
                table: "run_checkpoints",
                columns: new[] { "run_id", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_run_outputs_run_id_output_key",
                schema: "ingest",
                table: "run_outputs",
                columns: new[] { "run_id", "output_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_run_tool_calls_run_id_created_at_id",
                schema: "ingest",
                table: "run_tool_calls",
                columns: new[] { "run_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_run_usage_run_id_created_at_id",
                schema: "ingest",
                table: "run_usage",
                columns: new[] { "run_id", "created_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "run_annotations",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "run_checkpoints",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "run_outputs",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "run_state_entries",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "run_states",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "run_tool_calls",
                schema: "ingest");

            migrationBuilder.DropTable(
                name: "run_usage",
                schema: "ingest");
        }
    }
}
