using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.RunsApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobChaining : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "chain_on_complete",
                schema: "runs",
                table: "runs",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "chain_on_failure",
                schema: "runs",
                table: "runs",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "on_complete_payload_mapping",
                schema: "runs",
                table: "jobs",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "on_complete_trigger_job",
                schema: "runs",
                table: "jobs",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "on_failure_payload_mapping",
                schema: "runs",
                table: "jobs",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "on_failure_trigger_job",
                schema: "runs",
                table: "jobs",
                type: "uuid",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "chain_on_complete",
                schema: "runs",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "chain_on_failure",
                schema: "runs",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "on_complete_payload_mapping",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "on_complete_trigger_job",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "on_failure_payload_mapping",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "on_failure_trigger_job",
                schema: "runs",
                table: "jobs");
        }
    }
}
